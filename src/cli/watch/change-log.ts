import type { Goal } from "../../index.js";
import { goalToWire } from "../../wire/index.js";
import { verifiedText } from "../../format/goal-detail.js";
import { terminalSafe } from "../../format/terminal-safe.js";
import { latestLine, shortGate } from "./goal-summary.js";

/**
 * `goal-store watch` without a terminal: one line per goal that appeared or
 * changed revision (every goal once at the start), for logs. With --json each
 * line is `{"at": …, "goal": <wire goal>}` or `{"at": …, "removed": id}`.
 */
export class ChangeLog {
  readonly #write: (text: string) => Promise<void>;
  readonly #json: boolean;
  readonly #revisions = new Map<string, number>();

  /** A log that writes through `write`; JSON lines when `json`. */
  constructor(write: (text: string) => Promise<void>, json: boolean) {
    this.#write = write;
    this.#json = json;
  }

  /** Writes a line for every goal that is new or changed since the last call, and for every goal gone. */
  async update(goals: readonly Goal[], now: Date): Promise<void> {
    const at = now.toISOString();
    const lines: string[] = [];
    const seen = new Set<string>();
    for (const goal of goals) {
      seen.add(goal.id);
      if (this.#revisions.get(goal.id) === goal.revision) continue;
      this.#revisions.set(goal.id, goal.revision);
      lines.push(this.#json ? JSON.stringify({ at, goal: goalToWire(goal) }) : describe(at, goal));
    }
    for (const id of this.#revisions.keys()) {
      if (seen.has(id)) continue;
      this.#revisions.delete(id);
      lines.push(this.#json ? JSON.stringify({ at, removed: id }) : `${at}  ${terminalSafe(id)}  removed`);
    }
    if (lines.length > 0) await this.#write(`${lines.join("\n")}\n`);
  }
}

function describe(at: string, goal: Goal): string {
  const latest = latestLine(goal);
  return `${at}  ${terminalSafe(goal.id)}  ${goal.status}  ${goal.progress}%  ${verifiedText(goal)} verified  r${goal.revision}  ${shortGate(goal)}${latest === "" ? "" : `  ${latest}`}`;
}
