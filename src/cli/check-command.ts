import { terminalSafe } from "../format/terminal-safe.js";
import type { CliRequest } from "./args.js";
import { findProblems } from "./check.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { writeLines, type CliIo } from "./io.js";
import { readCacheSource } from "./cache-source.js";
import type { PalaceSource } from "./palace-source.js";
import type { SourceReading } from "./source-reading.js";

/** `goal-store check`: every problem in goals.json and/or the palace; exit 1 if any. */
export async function checkCommand(request: CliRequest, palace: PalaceSource | undefined, io: CliIo): Promise<ExitCodeValue> {
  const sources: SourceReading[] = [];
  if (request.root !== undefined) sources.push(await readCacheSource(request.root));
  if (palace !== undefined) sources.push(await palace.read());
  const problems = findProblems(sources);
  if (request.json) {
    const counts = Object.fromEntries(sources.map((s) => [s.name, s.result?.goals.length ?? null]));
    await io.out(`${JSON.stringify({ ok: problems.length === 0, goals: counts, problems }, null, 2)}\n`);
  } else {
    const summary = sources.map((source) => terminalSafe(`${source.name} ${source.path}: ${sourceSummary(source)}`));
    const verdict =
      problems.length === 0
        ? ["ok: no problems found"]
        : [`${count(problems.length, "problem")}:`, ...problems.map((problem) => `  - ${terminalSafe(problem)}`)];
    await writeLines(io, [...summary, ...verdict]);
  }
  return problems.length === 0 ? ExitCode.ok : ExitCode.problem;
}

function sourceSummary(source: SourceReading): string {
  if (source.result === undefined) return "could not be read";
  const skipped = source.result.skipped.length;
  return `${count(source.result.goals.length, "goal")} read${skipped === 0 ? "" : `, ${count(skipped, "entry", "entries")} skipped`}`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
