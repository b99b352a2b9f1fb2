import type { Goal } from "../../index.js";
import { unverified } from "../../format/goal-detail.js";
import { terminalSafe } from "../../format/terminal-safe.js";

/** The gate in a few words: "closed", "no sessions", "can close", or "waits: s2,s3". */
export function shortGate(goal: Goal): string {
  if (goal.status === "done") return "closed";
  if (goal.sessions.length === 0) return "no sessions";
  const waiting = unverified(goal.sessions);
  return waiting.length === 0 ? "can close" : `waits: ${waiting.map((link) => terminalSafe(link.sessionId)).join(",")}`;
}

/** The latest note, else the first line of the last evidence given, terminal-safe. */
export function latestLine(goal: Goal): string {
  const note = goal.notes.at(-1);
  if (note !== undefined) return `note: ${firstLine(note)}`;
  const withEvidence = goal.sessions.filter((link) => link.evidence !== null).at(-1);
  if (withEvidence === undefined) return "";
  return `${terminalSafe(withEvidence.sessionId)}: ${firstLine(withEvidence.evidence as string)}`;
}

/** A progress bar of `width` cells inside brackets: `[#####-----]`. */
export function progressBar(progress: number, width = 10): string {
  const filled = Math.round((Math.min(100, Math.max(0, progress)) * width) / 100);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

/** Time since `then`, short: "12s ago", "5m ago", "3h ago", "2d ago". */
export function ago(then: Date, now: Date): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - then.getTime()) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((candidate) => candidate.trim() !== "") ?? "";
  return terminalSafe(line.trim());
}
