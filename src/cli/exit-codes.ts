/**
 * The exit codes of `goal-store`. 1 is kept for "found a problem", so that a
 * script can tell a bad state of the goals from a bug in the tool.
 */
export const ExitCode = {
  /** The command did what was asked; `check` found nothing wrong. */
  ok: 0,
  /** A problem was found: `check` found problems, no (or no unique) goal matches, or the data cannot be read. */
  problem: 1,
  /** The command line is wrong (unknown command or option, missing value, no data named). */
  usage: 2,
  /** goal-store itself failed: a bug (EX_SOFTWARE of sysexits.h). */
  internal: 70,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
