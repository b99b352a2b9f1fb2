import { z } from "zod";
import { computeProgress, GoalStatusSchema, SessionTaskStateSchema, type Goal } from "../model.js";
import { parseRfc3339 } from "./timestamp.js";

// The one place where the camelCase API meets the Rust original's serde format
// (snake_case keys, RFC 3339 strings). Palace entries and goals.json both use it,
// so trusty-mpm and goal-store can read each other's data.

const Rfc3339Schema = z
  .string()
  .refine((text) => parseRfc3339(text) !== undefined, { message: "expected an RFC 3339 timestamp" });

/** A session link as stored: `session_id`, and `evidence` defaulting to `null` when absent. */
export const WireSessionLinkSchema = z.object({
  session_id: z.string().min(1),
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
 * `progress` is not trusted (it is recomputed), unknown keys are ignored.
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

/** Reads a stored goal (already JSON-parsed) into a {@link Goal}, recomputing `progress`. */
export const GoalFromWireSchema = WireGoalSchema.transform((wire): Goal => {
  const sessions = wire.sessions.map((link) => ({
    sessionId: link.session_id,
    task: link.task,
    state: link.state,
    evidence: link.evidence,
  }));
  return {
    id: wire.id,
    description: wire.description,
    status: wire.status,
    acceptance: wire.acceptance,
    sessions,
    progress: computeProgress(sessions),
    // Validated by Rfc3339Schema above, so these parse.
    created: parseRfc3339(wire.created) as Date,
    updated: parseRfc3339(wire.updated) as Date,
    notes: wire.notes,
    revision: wire.revision,
  };
});

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
 * Reads a stored goal from a JSON-parsed value.
 * @throws {z.ZodError} when the value is not a valid stored goal.
 */
export function decodeGoal(value: unknown): Goal {
  return GoalFromWireSchema.parse(value);
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
