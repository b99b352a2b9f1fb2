import { countVerified, type Goal } from "../model.js";

/** Options of {@link formatGoalTable}. */
export interface GoalTableOptions {
  /**
   * Longest description shown before it is cut with "…"; 0 hides the column.
   * @default 48
   */
  descriptionWidth?: number;
}

/**
 * A plain-text table of goals for terminals and logs: id, status, progress,
 * verified/total sessions, last update (UTC) and description.
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
  const width = options.descriptionWidth ?? 48;
  const rows = goals.map((goal) => [
    goal.id,
    goal.status,
    `${goal.progress}%`,
    `${countVerified(goal.sessions)}/${goal.sessions.length}`,
    goal.updated.toISOString().slice(0, 19).replace("T", " "),
    ...(width > 0 ? [truncate(goal.description, width)] : []),
  ]);
  const header = ["ID", "STATUS", "PROGRESS", "VERIFIED", "UPDATED (UTC)", ...(width > 0 ? ["DESCRIPTION"] : [])];
  // Numbers read best right-aligned; text left-aligned.
  const rightAligned = new Set([2, 3]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        rightAligned.has(column) ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number),
      )
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
