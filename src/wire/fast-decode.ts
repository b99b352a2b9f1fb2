import { computeProgress, type Goal, type GoalStatus, type SessionLink, type SessionTaskState } from "../model.js";
import { daysInMonth } from "./timestamp.js";
import { isWellFormed } from "./well-formed.js";

// A goal exactly as this library writes it (encodeGoal, goals.json): the ten
// keys of the wire format, `evidence` present, timestamps in toISOString's
// form, every string well formed. Load decodes every goal, and checking this
// one shape by hand is far cheaper than a zod parse (docs/performance.md,
// "Load"). Anything else (Rust data, older data, hand edits, hostile
// input) returns `undefined` and goes through zod, which stays the one
// definition of what is readable: a property test checks that wherever this
// answers, zod answers the same.

const GOAL_KEYS = 10;
const LINK_KEYS = 4;
const STATUSES: ReadonlySet<unknown> = new Set<GoalStatus>(["pending", "inProgress", "blocked", "done", "abandoned"]);
const STATES: ReadonlySet<unknown> = new Set<SessionTaskState>(["launched", "running", "verified", "failed"]);

const isText = (value: unknown): value is string => typeof value === "string" && isWellFormed(value);

/**
 * The goal in `value` when it has exactly the shape this library writes,
 * built as `GoalFromWireSchema` would build it; `undefined` otherwise (the
 * caller then parses it with zod). Never throws.
 */
export function goalFromStoreWritten(value: unknown): Goal | undefined {
  try {
    return build(value);
  } catch {
    // A hostile object (a throwing getter, a Proxy): zod reports it properly.
    return undefined;
  }
}

function build(value: unknown): Goal | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  if (Object.keys(value).length !== GOAL_KEYS) return undefined;
  const wire = value as Record<string, unknown>;
  const { id, description, status, revision } = wire;
  if (!isText(id) || id.length === 0 || !isText(description) || !STATUSES.has(status)) return undefined;
  if (typeof revision !== "number" || !Number.isSafeInteger(revision) || revision < 0) return undefined;
  const created = instant(wire.created);
  const updated = instant(wire.updated);
  const acceptance = texts(wire.acceptance);
  const notes = texts(wire.notes);
  const sessions = links(wire.sessions);
  if (created === undefined || updated === undefined || acceptance === undefined || notes === undefined || sessions === undefined) {
    return undefined;
  }
  return {
    id,
    description,
    status: status as GoalStatus,
    acceptance,
    sessions,
    progress: computeProgress(sessions),
    created,
    updated,
    notes,
    revision,
  };
}

// Only toISOString's own form, read field by field (no regex, no string
// allocated to print it back): it runs for every timestamp of every goal at load.
// Out-of-range fields (30 February, a leap second, hour 24) are refused, so
// what is accepted reads exactly as parseRfc3339 reads it.
function instant(value: unknown): Date | undefined {
  if (typeof value !== "string" || value.length !== 24) return undefined;
  if (value[4] !== "-" || value[7] !== "-" || value[10] !== "T" || value[13] !== ":" || value[16] !== ":" || value[19] !== "." || value[23] !== "Z") {
    return undefined;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  const millis = digits(value, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  // Date.UTC reads years 0–99 as 1900–1999.
  if (year < 100) date.setUTCFullYear(year);
  return date;
}

// The number written with `count` ASCII digits at `start`, or -1.
function digits(text: string, start: number, count: number): number {
  let result = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    result = result * 10 + digit;
  }
  return result;
}

function texts(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const copy = new Array<string>(value.length);
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (!isText(item)) return undefined;
    copy[i] = item;
  }
  return copy;
}

function links(value: unknown): SessionLink[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const copy = new Array<SessionLink>(value.length);
  for (let i = 0; i < value.length; i++) {
    const link: unknown = value[i];
    if (typeof link !== "object" || link === null || Array.isArray(link) || Object.keys(link).length !== LINK_KEYS) return undefined;
    const { session_id: sessionId, task, state, evidence } = link as Record<string, unknown>;
    if (!isText(sessionId) || !isText(task) || !STATES.has(state)) return undefined;
    if (evidence !== null && !isText(evidence)) return undefined;
    copy[i] = { sessionId, task, state: state as SessionTaskState, evidence };
  }
  return copy;
}
