import type { Goal } from "../../index.js";
import type { Paint } from "../../format/colour.js";
import { goalDetailLines, verifiedText } from "../../format/goal-detail.js";
import { displayWidth, padEndToWidth, truncateToWidth, wrapToWidth } from "../../format/display-width.js";
import { terminalSafe } from "../../format/terminal-safe.js";
import { plain } from "../../format/colour.js";
import { ago, latestLine, progressBar, shortGate } from "./goal-summary.js";

/** The terminal's size in character cells. */
export interface ScreenSize {
  columns: number;
  rows: number;
}

/** What the frame around the goals says. */
export interface ScreenFrame {
  /** First line: what is watched. */
  title: string;
  /** A problem to show on the last line (a failed re-read), if any. */
  notice: string | undefined;
  now: Date;
  paint: Paint;
}

const LIST_KEYS = "q quit  ↑↓/j/k move  Enter open";
const DETAIL_KEYS = "Esc/Backspace back  ↑↓/j/k scroll  q quit";
const ID_WIDTH = 18;
const GATE_WIDTH = 18;

/** How many goal rows fit under the title and header and above the key line. */
export function listCapacity(size: ScreenSize): number {
  return Math.max(1, size.rows - 3);
}

/**
 * The live table, exactly `size.rows` lines (fewer when the goals run out):
 * title, header, one row per visible goal from `top`, and the key line. The
 * selected row is marked with ">" (and shown inverted when painted).
 */
export function listScreen(goals: readonly Goal[], selected: number, top: number, size: ScreenSize, frame: ScreenFrame): string[] {
  const fit = (line: string) => truncateToWidth(line, size.columns);
  const header = `  ${"ID".padEnd(ID_WIDTH)}  ${"STATUS".padEnd(10)}  ${"PROGRESS".padEnd(17)}  VER   ${"UPDATED".padEnd(8)}  ${"GATE".padEnd(GATE_WIDTH)}  LATEST`;
  const lines = [frame.paint.bold(fit(`${frame.title}  (${goals.length} goal${goals.length === 1 ? "" : "s"})`)), frame.paint.bold(fit(header))];
  if (goals.length === 0) lines.push("  (no goals yet)");
  for (let index = top; index < Math.min(goals.length, top + listCapacity(size)); index++) {
    const goal = goals[index] as Goal;
    const isSelected = index === selected;
    const left = `${isSelected ? ">" : " "} ${padEndToWidth(truncateToWidth(terminalSafe(goal.id), ID_WIDTH), ID_WIDTH)}  `;
    const status = goal.status.padEnd(10);
    const rest = `  ${progressBar(goal.progress)} ${`${goal.progress}%`.padStart(4)}  ${verifiedText(goal).padEnd(4)}  ${ago(goal.updated, frame.now).padEnd(8)}  ${padEndToWidth(truncateToWidth(shortGate(goal), GATE_WIDTH), GATE_WIDTH)}  ${latestLine(goal)}`;
    const line = fit(left + status + rest).trimEnd();
    if (isSelected) lines.push(frame.paint.selected(padEndToWidth(line, size.columns)));
    else if (displayWidth(left + status) <= size.columns) lines.push(left + frame.paint.status(goal.status, status) + line.slice(left.length + status.length));
    else lines.push(line);
  }
  lines.push(footer(LIST_KEYS, size, frame));
  return lines;
}

/** One goal in full, wrapped to the screen, from line `scroll`; with the key line. */
export function detailScreen(goal: Goal, scroll: number, size: ScreenSize, frame: ScreenFrame): string[] {
  const body = detailBody(goal, size);
  const visible = body.slice(scroll, scroll + listCapacity(size) + 1);
  return [frame.paint.bold(truncateToWidth(`${frame.title}  goal ${terminalSafe(goal.id)}`, size.columns)), ...visible, footer(DETAIL_KEYS, size, frame)];
}

/** The wrapped lines of a goal's full view, for scrolling limits. */
export function detailBody(goal: Goal, size: ScreenSize): string[] {
  return goalDetailLines(goal, plain).flatMap((line) => wrapToWidth(line, size.columns));
}

function footer(keys: string, size: ScreenSize, frame: ScreenFrame): string {
  const text = frame.notice === undefined ? keys : `${keys}  |  ${terminalSafe(frame.notice)}`;
  return frame.paint.dim(truncateToWidth(text, size.columns));
}
