import type { GoalStatus } from "../model.js";

/** A way to style text for a terminal; {@link plain} for pipes, logs and `NO_COLOR`. */
export interface Paint {
  /** The status word in its colour: done green, blocked red, inProgress yellow, abandoned dim. */
  status(status: GoalStatus, text: string): string;
  /** De-emphasised text (hints, ages). */
  dim(text: string): string;
  /** Emphasised text (headers). */
  bold(text: string): string;
  /** The selected row of a live view. */
  selected(text: string): string;
}

/** Styling that adds nothing. */
export const plain: Paint = {
  status: (_status, text) => text,
  dim: (text) => text,
  bold: (text) => text,
  selected: (text) => text,
};

const sgr = (code: string, text: string) => `\x1b[${code}m${text}\x1b[0m`;
const STATUS_CODES: Readonly<Record<GoalStatus, string>> = {
  pending: "0",
  inProgress: "33",
  blocked: "31",
  done: "32",
  abandoned: "2",
};

/** ANSI SGR styling, for a terminal that has not asked for `NO_COLOR`. */
export const ansi: Paint = {
  status: (status, text) => sgr(STATUS_CODES[status], text),
  dim: (text) => sgr("2", text),
  bold: (text) => sgr("1", text),
  selected: (text) => sgr("7", text),
};
