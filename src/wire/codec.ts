import { z } from "zod";
import { computeProgress, GoalStatusSchema, SessionTaskStateSchema, type Goal } from "../model.js";
import { parseRfc3339 } from "./timestamp.js";
import { clampInstant } from "./timestamp-range.js";
import { goalFromStoreWritten } from "./fast-decode.js";
import { wellFormed } from "./well-formed.js";

// The one place where the camelCase API meets the Rust original's serde format
// (snake_case keys, RFC 3339 strings). Palace entries and goals.json both use it,
// so trusty-mpm and goal-store can read each other's data.

const Rfc3339Schema = z
  .string()
  .refine((text) => parseRfc3339(text) !== undefined, { message: "expected an RFC 3339 timestamp" });

/**
 * A session link as stored: `session_id`, and `evidence` defaulting to `null`
 * when absent. An empty `session_id` or `task` is read: the Rust original
 * writes them (only the write side refuses them).
 */
export const WireSessionLinkSchema = z.object({
  session_id: z.string(),
  task: z.string(),
  state: SessionTaskStateSchema,
  evidence: z.string().nullable().default(null),
});
/** @see {@link WireSessionLinkSchema} */
export type WireSessionLink = z.output<typeof WireSessionLinkSchema>;

/**
 * A goal as stored in the palace and in goals.json (the Rust original's serde
 * format). Reading is lenient where the Rust side is: missing `acceptance`,
 * `sessions` and `notes` default to `[]`, a missing `revision` to 0, a stored
 * `progress` is not trusted (it is recomputed), unknown keys are ignored. The
 * revision must be a safe integer: a larger one cannot be incremented exactly.
 */
export const WireGoalSchema = z.object({
  id: z.string().min(1),
  description: z.string(),
  status: GoalStatusSchema,
  acceptance: z.array(z.string()).default([]),
  sessions: z.array(WireSessionLinkSchema).default([]),
  progress: z.number().catch(0),
  created: Rfc3339Schema,
  updated: Rfc3339Schema,
  notes: z.array(z.string()).default([]),
  revision: z.number().int().min(0).default(0),
});
/** @see {@link WireGoalSchema} */
export type WireGoal = z.output<typeof WireGoalSchema>;

/**
 * Reads a stored goal (already JSON-parsed) into a {@link Goal}, recomputing
 * `progress`. What the store would write back is made writable here: lone
 * surrogates become U+FFFD, instants are kept within years 0000–9999.
 */
export const GoalFromWireSchema = WireGoalSchema.transform((wire): Goal => {
  const sessions = wire.sessions.map((link) => ({
    sessionId: wellFormed(link.session_id),
    task: wellFormed(link.task),
    state: link.state,
    evidence: link.evidence === null ? null : wellFormed(link.evidence),
  }));
  return {
    id: wellFormed(wire.id),
    description: wellFormed(wire.description),
    status: wire.status,
    acceptance: wire.acceptance.map(wellFormed),
    sessions,
    progress: computeProgress(sessions),
    created: storedInstant(wire.created),
    updated: storedInstant(wire.updated),
    notes: wire.notes.map(wellFormed),
    revision: wire.revision,
  };
});

// Validated by Rfc3339Schema, so it parses; an offset can carry it just past
// year 9999 or before year 0, which toISOString could not print as RFC 3339.
function storedInstant(text: string): Date {
  return new Date(clampInstant((parseRfc3339(text) as Date).getTime()));
}

/** Converts a goal to its stored form; key order matches the Rust original's output. */
export function goalToWire(goal: Goal): WireGoal {
  return {
    id: goal.id,
    description: goal.description,
    status: goal.status,
    acceptance: goal.acceptance,
    sessions: goal.sessions.map((link) => ({
      session_id: link.sessionId,
      task: link.task,
      state: link.state,
      evidence: link.evidence,
    })),
    progress: goal.progress,
    created: goal.created.toISOString(),
    updated: goal.updated.toISOString(),
    notes: goal.notes,
    revision: goal.revision,
  };
}

/**
 * Reads a stored goal from a JSON-parsed value. A goal in exactly the shape
 * this library writes takes a hand-written check (several times cheaper, which
 * is most of a large load); anything else is parsed by {@link GoalFromWireSchema}.
 * @throws {z.ZodError} when the value is not a valid stored goal.
 */
export function decodeGoal(value: unknown): Goal {
  return goalFromStoreWritten(value) ?? GoalFromWireSchema.parse(value);
}

/**
 * Reads one palace entry: the goal's JSON as `rememberGoal` received it.
 * @throws {TypeError} when the entry is not a string; {SyntaxError} when it is
 * not JSON; {z.ZodError} when it is not a valid stored goal.
 */
export function decodeEntry(entry: unknown): Goal {
  if (typeof entry !== "string") throw new TypeError(`entry is ${typeof entry}, not a JSON string`);
  return decodeGoal(JSON.parse(entry));
}

/** The compact JSON written to the palace for `goal`. */
export function encodeGoal(goal: Goal): string {
  return JSON.stringify(goalToWire(goal));
}
