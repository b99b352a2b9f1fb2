import { countVerified, verifiedOfTotal, type Goal } from "../model.js";
import { passesGate } from "./gate.js";
import type { GoalLimits } from "../wire/limits.js";

/** A goal loaded as stored although it breaks a rule this store enforces on writes. */
export interface FlaggedGoal {
  /** The goal. */
  goalId: string;
  /**
   * - `doneUnverified`: `done` without every link verified (or with none).
   * - `duplicateSession`: a session id linked more than once.
   * - `overLimit`: more acceptance items, sessions or notes than `limits` allow.
   */
  problem: "doneUnverified" | "duplicateSession" | "overLimit";
  /** One sentence for logs. */
  detail: string;
}

/**
 * What is wrong with a stored goal, if anything: `done` without every link
 * verified, a session linked twice, and, given `limits`, more items than they
 * allow. Such goals come from the Rust original (which has neither rule) or
 * from a store with higher limits; they load unchanged and every later
 * mutation on them is defined (see docs/guarantees.md, "Loaded data that breaks a rule").
 * `goal-store check` reports the first two.
 */
export function findingsFor(goal: Goal, limits?: Pick<GoalLimits, "acceptance" | "sessions" | "notes">): FlaggedGoal[] {
  const found: FlaggedGoal[] = [];
  const flag = (problem: FlaggedGoal["problem"], detail: string) => found.push({ goalId: goal.id, problem, detail });
  if (goal.status === "done" && !passesGate(goal.sessions)) {
    const verified = verifiedOfTotal(countVerified(goal.sessions), goal.sessions.length);
    flag("doneUnverified", `goal ${goal.id} is done with ${verified} sessions verified`);
  }
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const link of goal.sessions) (seen.has(link.sessionId) ? repeated : seen).add(link.sessionId);
  if (repeated.size > 0) {
    flag("duplicateSession", `goal ${goal.id} links session ${[...repeated].join(", ")} more than once`);
  }
  for (const field of ["acceptance", "sessions", "notes"] as const) {
    if (limits !== undefined && goal[field].length > limits[field]) {
      flag("overLimit", `goal ${goal.id} has ${goal[field].length} ${field}; the limit is ${limits[field]}`);
    }
  }
  return found;
}
