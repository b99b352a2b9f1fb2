import { computeProgress, type Goal, type GoalStatus, type SessionLink, type SessionTaskState } from "../model.js";

// A goal exactly as this library writes it (encodeGoal, goals.json): the ten
// keys of the wire format, `evidence` present, timestamps in toISOString's
// form, every string well formed. Loading 100,000 goals through zod costs
// several times the JSON.parse that precedes it; checking this one shape by hand
// costs a fraction. Anything else (Rust data, older data, hand edits, hostile
// input) returns `undefined` and goes through zod, which stays the one
// definition of what is readable: a property test checks that wherever this
// answers, zod answers the same.

const GOAL_KEYS = 10;
const LINK_KEYS = 4;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const STATUSES: ReadonlySet<unknown> = new Set<GoalStatus>(["pending", "inProgress", "blocked", "done", "abandoned"]);
const STATES: ReadonlySet<unknown> = new Set<SessionTaskState>(["launched", "running", "verified", "failed"]);

interface WellFormedString {
  isWellFormed(): boolean;
}

const isText = (value: unknown): value is string =>
  typeof value === "string" && (value as unknown as WellFormedString).isWellFormed();

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

// Only toISOString's own form: then `new Date` reads it exactly as parseRfc3339
// does, and printing it back gives the same text (which rules out 30 February,
// a leap second, or an out-of-range year).
function instant(value: unknown): Date | undefined {
  if (typeof value !== "string" || !ISO_INSTANT.test(value)) return undefined;
  const date = new Date(value);
  const time = date.getTime();
  return Number.isNaN(time) || date.toISOString() !== value ? undefined : date;
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
