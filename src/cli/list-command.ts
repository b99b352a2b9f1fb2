import type { Goal } from "../index.js";
import { goalToWire } from "../wire/index.js";
import { ansi, plain } from "../format/colour.js";
import { goalTableLines } from "../format/goal-table.js";
import type { CliRequest } from "./args.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { reportLine, writeLines, type CliIo } from "./io.js";
import type { PalaceSource } from "./palace-source.js";
import { readGoals } from "./read-goals.js";
import { selectGoals } from "./select-goals.js";

/** `goal-store list`: a table (or a JSON array) of the selected goals. */
export async function listCommand(request: CliRequest, palace: PalaceSource | undefined, io: CliIo): Promise<ExitCodeValue> {
  const read = await readGoals(palace, request.root);
  if ("errors" in read) {
    for (const error of read.errors) reportLine(io, error);
    return ExitCode.problem;
  }
  for (const notice of read.notices) reportLine(io, notice);
  const goals = selectGoals(read.goals, request.statuses, request.sort);
  if (request.json) {
    await writeLines(io, jsonArrayLines(goals));
    return ExitCode.ok;
  }
  if (goals.length === 0) {
    await io.out(read.goals.length === 0 ? "(no goals)\n" : `(no goals with status ${request.statuses?.join(" or ")})\n`);
    return ExitCode.ok;
  }
  await writeLines(io, goalTableLines(goals, { paint: io.colour ? ansi : plain }));
  return ExitCode.ok;
}

// The same text JSON.stringify(array, null, 2) gives, one element at a time.
function* jsonArrayLines(goals: readonly Goal[]): Generator<string> {
  if (goals.length === 0) {
    yield "[]";
    return;
  }
  yield "[";
  for (let i = 0; i < goals.length; i++) {
    const element = JSON.stringify(goalToWire(goals[i] as Goal), null, 2).replace(/\n/g, "\n  ");
    yield `  ${element}${i === goals.length - 1 ? "" : ","}`;
  }
  yield "]";
}
