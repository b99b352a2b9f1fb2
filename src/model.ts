import { z } from "zod";

/**
 * Lifecycle of a goal. New goals are `pending`; linking a session moves a
 * `pending` goal to `inProgress`; `done` is reachable only through the
 * verification gate.
 */
export const GoalStatusSchema = z.enum(["pending", "inProgress", "blocked", "done", "abandoned"]);
/** @see {@link GoalStatusSchema} */
export type GoalStatus = z.infer<typeof GoalStatusSchema>;

/** Verification state of one agent session's task. Only `verified` counts toward progress and the gate. */
export const SessionTaskStateSchema = z.enum(["launched", "running", "verified", "failed"]);
/** @see {@link SessionTaskStateSchema} */
export type SessionTaskState = z.infer<typeof SessionTaskStateSchema>;

/** One agent session working on a goal, with its verification state and evidence. */
export const SessionLinkSchema = z.object({
  /** Unique within its goal. */
  sessionId: z.string().min(1),
  /** What the session was asked to do. */
  task: z.string(),
  state: SessionTaskStateSchema,
  /** Proof of the state (a PR URL, test output, …); `null` when none was recorded. */
  evidence: z.string().nullable(),
});
/** @see {@link SessionLinkSchema} */
export type SessionLink = z.infer<typeof SessionLinkSchema>;

/** A durable, verifiable goal as the TypeScript API sees it (camelCase, `Date` timestamps). */
export const GoalSchema = z.object({
  /** Stable id: `g-` + 16 hex for new goals; any non-empty string when read from storage. */
  id: z.string().min(1),
  description: z.string(),
  status: GoalStatusSchema,
  /** Acceptance criteria, in order. */
  acceptance: z.array(z.string()),
  sessions: z.array(SessionLinkSchema),
  /** Derived, 0–100: the rounded share of linked sessions that are `verified`. Never set directly. */
  progress: z.number().int().min(0).max(100),
  created: z.date(),
  updated: z.date(),
  /** Decisions and blockers, oldest first. */
  notes: z.array(z.string()),
  /** 1 on create, +1 on every committed mutation; 0 for data written by the Rust original. */
  revision: z.number().int().min(0),
});
/** @see {@link GoalSchema} */
export type Goal = z.infer<typeof GoalSchema>;

/**
 * Progress in percent from the linked sessions: 0 with no links, else the share
 * of `verified` ones rounded half up in integer arithmetic (1 of 3 → 33, 2 of 3 → 67),
 * exactly as the Rust original computes it.
 */
export function computeProgress(sessions: readonly SessionLink[]): number {
  const total = sessions.length;
  if (total === 0) return 0;
  return Math.floor((100 * countVerified(sessions) + Math.floor(total / 2)) / total);
}

/** How many of `sessions` are `verified`. */
export function countVerified(sessions: readonly SessionLink[]): number {
  let verified = 0;
  for (const session of sessions) if (session.state === "verified") verified++;
  return verified;
}

/**
 * `verified/total` (`1/3`): how every message and view counts a goal's
 * verified sessions, so an error, a load finding and the CLI read alike.
 */
export function verifiedOfTotal(verified: number, total: number): string {
  return `${verified}/${total}`;
}

/** A deep copy, so that callers can never reach the store's own objects. */
export function cloneGoal(goal: Goal): Goal {
  return {
    ...goal,
    acceptance: [...goal.acceptance],
    sessions: goal.sessions.map((session) => ({ ...session })),
    created: new Date(goal.created.getTime()),
    updated: new Date(goal.updated.getTime()),
    notes: [...goal.notes],
  };
}

/** Orders goal ids by UTF-16 code units: the order of `all()` and of goals.json. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
