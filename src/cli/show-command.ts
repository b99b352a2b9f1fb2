import { goalToWire } from "../wire/index.js";
import { ansi, plain } from "../format/colour.js";
import { goalDetailLines } from "../format/goal-detail.js";
import { terminalSafe } from "../format/terminal-safe.js";
import { truncateToWidth } from "../format/display-width.js";
import type { CliRequest } from "./args.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { reportLine, writeLines, type CliIo } from "./io.js";
import { findGoal } from "./find-goal.js";
import type { PalaceSource } from "./palace-source.js";
import { readGoals } from "./read-goals.js";

const MAX_CANDIDATES = 20;

/** `goal-store show <id>`: one goal in full, found by id or unique id prefix. */
export async function showCommand(request: CliRequest, palace: PalaceSource | undefined, io: CliIo): Promise<ExitCodeValue> {
  const read = await readGoals(palace, request.root);
  if ("errors" in read) {
    for (const error of read.errors) reportLine(io, error);
    return ExitCode.problem;
  }
  for (const notice of read.notices) reportLine(io, notice);
  const wanted = request.goalId as string;
  const match = findGoal(read.goals, wanted);
  if ("candidates" in match) {
    const where = terminalSafe(`${read.source.name} ${read.source.path}`);
    if (match.candidates.length === 0) {
      io.err(`goal-store: no goal ${terminalSafe(JSON.stringify(wanted))} in ${where}\n`);
    } else {
      const shown = match.candidates.slice(0, MAX_CANDIDATES).map((goal) => `  ${terminalSafe(goal.id)}  ${truncateToWidth(terminalSafe(goal.description), 60)}\n`);
      const more = match.candidates.length > MAX_CANDIDATES ? `  … and ${match.candidates.length - MAX_CANDIDATES} more\n` : "";
      io.err(`goal-store: ${terminalSafe(JSON.stringify(wanted))} matches ${match.candidates.length} goals in ${where}; give more of the id:\n${shown.join("")}${more}`);
    }
    return ExitCode.problem;
  }
  if (request.json) await io.out(`${JSON.stringify(goalToWire(match.goal), null, 2)}\n`);
  else await writeLines(io, goalDetailLines(match.goal, io.colour ? ansi : plain));
  return ExitCode.ok;
}
