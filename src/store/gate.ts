import { VerificationGateError } from "../errors.js";
import { countVerified, type Goal, type SessionLink } from "../model.js";

// The verification gate: a goal is `done` only while it has at least one linked
// session and every linked session is `verified`. It is checked when a goal is
// closed and again on every change to a done goal's links, so "done ⇒ all
// verified" holds after every commit, not only at close time.

/** True when the gate would let a goal with these links be `done`. */
export function passesGate(sessions: readonly SessionLink[]): boolean {
  return sessions.length > 0 && countVerified(sessions) === sessions.length;
}

/** Refuses to close `goal` unless it passes the gate. */
export function assertMayClose(goal: Goal): void {
  if (!passesGate(goal.sessions)) {
    throw new VerificationGateError(goal.id, countVerified(goal.sessions), goal.sessions.length, "close");
  }
}

/** Refuses a change that would leave a `done` goal with these links failing the gate. */
export function assertDoneStaysVerified(goal: Goal, sessions: readonly SessionLink[]): void {
  if (goal.status === "done" && !passesGate(sessions)) {
    throw new VerificationGateError(goal.id, countVerified(sessions), sessions.length, "keepDone");
  }
}
