import type { Goal } from "./model.js";

const quote = JSON.stringify as (value: string) => string;
// An array element of goals.json: the array indents by 2, its objects by 2 more.
const FIELD = "    ";
const ITEM = "      ";
const SESSION_FIELD = "        ";

/**
 * One goal as an element of goals.json, without the separator: byte for byte
 * what `JSON.stringify(goals.map(goalToWire), null, 2)` prints for it, with the
 * same key order and escaping.
 *
 * Written out by hand because it runs once per changed goal per cache write:
 * generic pretty-printing plus re-indenting costs about three times as much, and
 * at 10,000 goals that was the largest item in the profile after the join
 * itself. A test compares it with `JSON.stringify` on arbitrary goals.
 */
export function renderCacheEntry(goal: Goal): string {
  let sessions = "[]";
  if (goal.sessions.length > 0) {
    const items = goal.sessions.map(
      (link) =>
        `${ITEM}{\n` +
        `${SESSION_FIELD}"session_id": ${quote(link.sessionId)},\n` +
        `${SESSION_FIELD}"task": ${quote(link.task)},\n` +
        `${SESSION_FIELD}"state": ${quote(link.state)},\n` +
        `${SESSION_FIELD}"evidence": ${link.evidence === null ? "null" : quote(link.evidence)}\n` +
        `${ITEM}}`,
    );
    sessions = `[\n${items.join(",\n")}\n${FIELD}]`;
  }
  return (
    `  {\n` +
    `${FIELD}"id": ${quote(goal.id)},\n` +
    `${FIELD}"description": ${quote(goal.description)},\n` +
    `${FIELD}"status": ${quote(goal.status)},\n` +
    `${FIELD}"acceptance": ${stringList(goal.acceptance)},\n` +
    `${FIELD}"sessions": ${sessions},\n` +
    `${FIELD}"progress": ${JSON.stringify(goal.progress)},\n` +
    `${FIELD}"created": ${quote(goal.created.toISOString())},\n` +
    `${FIELD}"updated": ${quote(goal.updated.toISOString())},\n` +
    `${FIELD}"notes": ${stringList(goal.notes)},\n` +
    `${FIELD}"revision": ${JSON.stringify(goal.revision)}\n` +
    `  }`
  );
}

function stringList(items: readonly string[]): string {
  if (items.length === 0) return "[]";
  return `[\n${items.map((item) => ITEM + quote(item)).join(",\n")}\n${FIELD}]`;
}
