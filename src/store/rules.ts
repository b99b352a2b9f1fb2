import { ConflictError, GoalNotFoundError } from "../errors.js";
import { computeProgress, type Goal, type GoalStatus, type SessionLink, type SessionTaskState } from "../model.js";
import { assertDoneStaysVerified, assertMayClose } from "./gate.js";

// Pure lifecycle rules. Each takes a committed goal and returns the next
// revision as a new object (the input is never mutated), or throws the typed
// error that refuses the change. The store only sequences and persists.

/** A new `pending` goal at revision 1. */
export function newGoal(id: string, description: string, acceptance: string[], now: Date): Goal {
  return {
    id,
    description,
    status: "pending",
    acceptance,
    sessions: [],
    progress: 0,
    created: now,
    updated: now,
    notes: [],
    revision: 1,
  };
}

/** Links a session; a `pending` goal becomes `inProgress`. */
export function linkSession(goal: Goal, link: SessionLink, now: Date): Goal {
  if (goal.sessions.some((existing) => existing.sessionId === link.sessionId)) {
    throw new ConflictError(goal.id, link.sessionId);
  }
  const sessions = [...goal.sessions, link];
  assertDoneStaysVerified(goal, sessions);
  return next(goal, now, {
    sessions,
    status: goal.status === "pending" ? "inProgress" : goal.status,
  });
}

/** The change {@link updateSession} applies; `undefined` fields are left as they are. */
export interface SessionChange {
  sessionId: string;
  state?: SessionTaskState | undefined;
  evidence?: string | null | undefined;
  note?: string | undefined;
}

/** Changes one linked session's state and evidence, and appends an optional note. */
export function updateSession(goal: Goal, change: SessionChange, now: Date): Goal {
  const index = goal.sessions.findIndex((link) => link.sessionId === change.sessionId);
  const current = goal.sessions[index];
  if (current === undefined) throw new GoalNotFoundError(goal.id, change.sessionId);
  const sessions = [...goal.sessions];
  sessions[index] = {
    ...current,
    state: change.state ?? current.state,
    evidence: change.evidence === undefined ? current.evidence : change.evidence,
  };
  assertDoneStaysVerified(goal, sessions);
  return next(goal, now, {
    sessions,
    notes: change.note === undefined ? goal.notes : [...goal.notes, change.note],
  });
}

/** Appends a decision or blocker note. */
export function appendNote(goal: Goal, note: string, now: Date): Goal {
  return next(goal, now, { notes: [...goal.notes, note] });
}

/** Sets the status; `done` passes only through the verification gate. */
export function changeStatus(goal: Goal, status: GoalStatus, now: Date): Goal {
  if (status === "done") assertMayClose(goal);
  return next(goal, now, { status });
}

function next(goal: Goal, now: Date, changes: Partial<Goal>): Goal {
  const updated: Goal = { ...goal, ...changes, updated: now, revision: goal.revision + 1 };
  updated.progress = computeProgress(updated.sessions);
  return updated;
}
