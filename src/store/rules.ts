import { ConflictError, GoalNotFoundError, RevisionOverflowError } from "../errors.js";
import { computeProgress, type Goal, type GoalStatus, type SessionLink, type SessionTaskState } from "../model.js";
import { assertDoneStaysVerified, assertMayClose } from "./gate.js";

// Pure lifecycle rules. Each takes a committed goal and returns the next
// revision as a new object (the input is never mutated), or throws the typed
// error that refuses the change. The store only sequences and persists. A rule
// that would change nothing returns the goal itself, and the store then writes
// no new revision.
//
// Loaded data can break the rules (the Rust original has neither the gate on
// changes nor unique session ids); the rules stay defined on it: a change to a
// `done` goal must leave it passing the gate (else VERIFICATION_GATE: reopen it
// with setStatus first), and `update` changes every link carrying the session id.

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

/**
 * Changes a linked session's state and evidence, and appends an optional note.
 * A session id linked more than once (only in loaded data) has every one of its
 * links changed alike. Nothing to change returns `goal` itself.
 */
export function updateSession(goal: Goal, change: SessionChange, now: Date): Goal {
  let found = false;
  let changed = change.note !== undefined;
  const sessions = goal.sessions.map((link) => {
    if (link.sessionId !== change.sessionId) return link;
    found = true;
    const state = change.state ?? link.state;
    const evidence = change.evidence === undefined ? link.evidence : change.evidence;
    if (state === link.state && evidence === link.evidence) return link;
    changed = true;
    return { ...link, state, evidence };
  });
  if (!found) throw new GoalNotFoundError(goal.id, change.sessionId);
  if (!changed) return goal;
  assertDoneStaysVerified(goal, sessions);
  return next(goal, now, {
    sessions,
    notes: change.note === undefined ? goal.notes : [...goal.notes, change.note],
  });
}

/** Appends a decision or blocker note; a `done` goal must still pass the gate (loaded data may not). */
export function appendNote(goal: Goal, note: string, now: Date): Goal {
  assertDoneStaysVerified(goal, goal.sessions);
  return next(goal, now, { notes: [...goal.notes, note] });
}

/**
 * Sets the status; `done` passes only through the verification gate, also when
 * the goal is already `done`. The status it already has returns `goal` itself.
 */
export function changeStatus(goal: Goal, status: GoalStatus, now: Date): Goal {
  if (status === "done") assertMayClose(goal);
  if (status === goal.status) return goal;
  return next(goal, now, { status });
}

function next(goal: Goal, now: Date, changes: Partial<Goal>): Goal {
  // Revisions stay below Number.MAX_SAFE_INTEGER: past it `+ 1` stops
  // counting, and an entry with an unsafe revision is unreadable.
  if (goal.revision >= Number.MAX_SAFE_INTEGER - 1) throw new RevisionOverflowError(goal.id, goal.revision);
  const updated: Goal = { ...goal, ...changes, updated: now, revision: goal.revision + 1 };
  updated.progress = computeProgress(updated.sessions);
  return updated;
}
