import { countVerified, verifiedOfTotal, type Goal, type SessionLink } from "../model.js";
import { plain, type Paint } from "./colour.js";
import { terminalSafe, terminalSafeLines } from "./terminal-safe.js";

/**
 * Why `done` is or is not reachable for a goal, for humans: "closed",
 * "no sessions linked", "open: every session verified", or "waiting on s2
 * (running), s3 (failed)".
 */
function gateState(goal: Goal): string {
  if (goal.status === "done") return "closed";
  if (goal.sessions.length === 0) return "no sessions linked";
  const waiting = unverified(goal.sessions);
  if (waiting.length === 0) return "open: every session verified";
  return `waiting on ${waiting.map((link) => `${terminalSafe(link.sessionId)} (${link.state})`).join(", ")}`;
}

/** How many of a goal's sessions are verified, of how many: `1/3`. */
export function verifiedText(goal: Goal): string {
  return verifiedOfTotal(countVerified(goal.sessions), goal.sessions.length);
}

/** The sessions that still keep a goal from being closed as `done`. */
export function unverified(sessions: readonly SessionLink[]): SessionLink[] {
  return sessions.filter((link) => link.state !== "verified");
}

/**
 * One goal in full, as terminal-safe lines: header, description, times, gate,
 * acceptance, sessions with evidence, notes. Multi-line evidence and notes are
 * indented under their item so they cannot pass for other entries.
 */
export function goalDetailLines(goal: Goal, paint: Paint = plain): string[] {
  const verified = verifiedText(goal);
  return [
    `${paint.bold(terminalSafe(goal.id))}  ${paint.status(goal.status, goal.status)}  ${goal.progress}%  revision ${goal.revision}`,
    terminalSafe(goal.description),
    `created ${goal.created.toISOString()}  updated ${goal.updated.toISOString()}`,
    `gate: ${verified} verified, ${gateState(goal)}`,
    "",
    `Acceptance (${goal.acceptance.length}):`,
    ...goal.acceptance.flatMap((item) => itemLines(item)),
    `Sessions (${goal.sessions.length}):`,
    ...goal.sessions.flatMap((link) => sessionLines(link)),
    `Notes (${goal.notes.length}):`,
    ...goal.notes.flatMap((note) => itemLines(note)),
  ];
}

function sessionLines(link: SessionLink): string[] {
  const head = `  - ${terminalSafe(link.sessionId)}  ${link.state}  ${terminalSafe(link.task)}`;
  if (link.evidence === null) return [head];
  const [first = "", ...rest] = terminalSafeLines(link.evidence);
  return [`${head}  [evidence: ${first}${rest.length === 0 ? "]" : ""}`, ...rest.map((line, i) => `      ${line}${i === rest.length - 1 ? "]" : ""}`)];
}

function itemLines(text: string): string[] {
  const [first = "", ...rest] = terminalSafeLines(text);
  return [`  - ${first}`, ...rest.map((line) => `    ${line}`)];
}
