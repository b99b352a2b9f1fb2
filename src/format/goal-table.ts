import type { Goal } from "../model.js";
import { verifiedText } from "./goal-detail.js";
import { plain, type Paint } from "./colour.js";
import { displayWidth, padEndToWidth, truncateToWidth } from "./display-width.js";
import { terminalSafe } from "./terminal-safe.js";

/** Options of {@link formatGoalTable}. */
export interface GoalTableOptions {
  /**
   * Widest description shown, in terminal columns, before it is cut with "…";
   * 0 hides the column.
   * @default 48
   */
  descriptionWidth?: number;
}

/** Options of {@link goalTableLines}: the public ones plus styling for terminals. */
export interface GoalTableLineOptions extends GoalTableOptions {
  /** @default plain */
  paint?: Paint;
}

const HEADER = ["ID", "STATUS", "PROGRESS", "VERIFIED", "UPDATED (UTC)", "DESCRIPTION"] as const;

/**
 * A plain-text table of goals for terminals and logs: id, status, progress,
 * verified/total sessions, last update (UTC) and description. Text from agents
 * (ids, descriptions) is made terminal-safe: control characters and escape
 * sequences are shown as `\x1b`-style escapes, never sent to the terminal.
 * Columns are aligned by display width, so CJK and emoji line up.
 *
 * @example
 * ```ts
 * console.log(formatGoalTable(store.all()));
 * // ID                  STATUS      PROGRESS  VERIFIED  UPDATED (UTC)        DESCRIPTION
 * // g-3f9c0a7d1e2b4c58  inProgress       33%       1/3  2026-06-16 12:00:05  Ship the login page
 * ```
 */
export function formatGoalTable(goals: readonly Goal[], options: GoalTableOptions = {}): string {
  if (goals.length === 0) return "(no goals)";
  return [...goalTableLines(goals, options)].join("\n");
}

/**
 * The lines of {@link formatGoalTable} one at a time (header first, no newlines),
 * so a million goals can be written out without building one huge string.
 */
export function* goalTableLines(goals: readonly Goal[], options: GoalTableLineOptions = {}): Generator<string> {
  const describe = (options.descriptionWidth ?? 48) > 0;
  const descriptionWidth = options.descriptionWidth ?? 48;
  const paint = options.paint ?? plain;
  // One pass for the widths; a spread into Math.max overflows the stack at
  // about 125,000 goals.
  let idWidth = HEADER[0].length;
  let statusWidth = HEADER[1].length;
  let verifiedWidth = HEADER[3].length;
  for (const goal of goals) {
    idWidth = Math.max(idWidth, displayWidth(terminalSafe(goal.id)));
    statusWidth = Math.max(statusWidth, goal.status.length);
    verifiedWidth = Math.max(verifiedWidth, verifiedText(goal).length);
  }
  const progressWidth = HEADER[2].length;
  const header = [
    HEADER[0].padEnd(idWidth),
    HEADER[1].padEnd(statusWidth),
    HEADER[2],
    HEADER[3].padStart(verifiedWidth),
    ...(describe ? [HEADER[4].padEnd(19), HEADER[5]] : [HEADER[4]]),
  ];
  yield paint.bold(header.join("  "));
  for (const goal of goals) {
    // Numbers read best right-aligned; text left-aligned.
    const cells = [
      padEndToWidth(terminalSafe(goal.id), idWidth),
      paint.status(goal.status, goal.status.padEnd(statusWidth)),
      `${goal.progress}%`.padStart(progressWidth),
      verifiedText(goal).padStart(verifiedWidth),
      goal.updated.toISOString().slice(0, 19).replace("T", " "),
      ...(describe ? [truncateToWidth(terminalSafe(goal.description), descriptionWidth)] : []),
    ];
    yield cells.join("  ").trimEnd();
  }
}
