import type { Goal } from "../model.js";
import { goalToWire } from "./codec.js";

/**
 * One goal as an element of goals.json, without the separator: byte for byte
 * what `JSON.stringify(goals.map(goalToWire), null, 2)` prints for it. Keys and
 * their order come from {@link goalToWire}, the one place that defines the wire
 * format.
 *
 * A direct printer rather than `JSON.stringify(…, null, 2)` followed by
 * re-indenting the result into the array: it runs once per changed goal per
 * goals.json write, and the re-indent cost about three times as much. A test
 * compares it with `JSON.stringify` on arbitrary goals.
 */
export function renderGoalsJsonEntry(goal: Goal): string {
  return `${ELEMENT_INDENT}${pretty(goalToWire(goal), ELEMENT_INDENT)}`;
}

// goals.json is an array printed with an indent of 2, so each goal starts at 2.
const ELEMENT_INDENT = "  ";

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

// JSON.stringify(value, null, 2) for a value nested at `indent`.
function pretty(value: Json, indent: string): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    let text = "[\n";
    for (let i = 0; i < value.length; i++) {
      text += `${i > 0 ? ",\n" : ""}${inner}${pretty(value[i] as Json, inner)}`;
    }
    return `${text}\n${indent}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "{}";
  let text = "{\n";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    text += `${i > 0 ? ",\n" : ""}${inner}${JSON.stringify(key)}: ${pretty((value as Record<string, Json>)[key] as Json, inner)}`;
  }
  return `${text}\n${indent}}`;
}
