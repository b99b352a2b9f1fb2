#!/usr/bin/env node
import { goalToWire } from "../wire/codec.js";
import { formatGoalTable } from "../format/goal-table.js";
import type { Goal } from "../model.js";
import { parseCommandLine, USAGE, UsageError, type CliRequest } from "./args.js";
import { findProblems } from "./check.js";
import { readCacheSource, readPalaceSource, type SourceReading } from "./sources.js";

/** Where the CLI writes; injectable so that it can be tested in process. */
export interface CliOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * Runs the `goal-store` command line and returns its exit code: 0 fine, 1 a goal
 * not found or `check` found problems, 2 a bad command line.
 */
export async function runCli(argv: readonly string[], io: CliOutput): Promise<number> {
  let request: CliRequest | "help";
  try {
    request = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`goal-store: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (request === "help") {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const sources: SourceReading[] = [];
  if (request.root !== undefined) sources.push(await readCacheSource(request.root));
  if (request.sqlite !== undefined) sources.push(await readPalaceSource(request.sqlite));

  if (request.command === "check") {
    const problems = findProblems(sources);
    const counts = Object.fromEntries(sources.map((s) => [s.name, s.result?.goals.length ?? null]));
    if (request.json) io.out(`${JSON.stringify({ ok: problems.length === 0, goals: counts, problems }, null, 2)}\n`);
    else {
      for (const source of sources) io.out(`${source.name} ${source.path}: ${source.result?.goals.length ?? "unreadable,"} goal(s)\n`);
      io.out(problems.length === 0 ? "ok: no problems found\n" : `${problems.length} problem(s):\n${problems.map((p) => `  - ${p}\n`).join("")}`);
    }
    return problems.length === 0 ? 0 : 1;
  }

  // list and show read one source: the palace (the truth) when given.
  const source = sources.at(-1) as SourceReading;
  if (source.result === undefined) {
    io.err(`goal-store: ${source.name} ${source.path} could not be read: ${source.error ?? "unknown error"}\n`);
    return 1;
  }
  const goals = source.result.goals;
  if (request.command === "list") {
    io.out(request.json ? `${JSON.stringify(goals.map(goalToWire), null, 2)}\n` : `${formatGoalTable(goals)}\n`);
    return 0;
  }
  const goal = goals.find((candidate) => candidate.id === request.goalId);
  if (goal === undefined) {
    io.err(`goal-store: no goal ${JSON.stringify(request.goalId)} in ${source.name} ${source.path}\n`);
    return 1;
  }
  io.out(request.json ? `${JSON.stringify(goalToWire(goal), null, 2)}\n` : describeGoal(goal));
  return 0;
}

function describeGoal(goal: Goal): string {
  const lines = [
    `${goal.id}  ${goal.status}  ${goal.progress}%  revision ${goal.revision}`,
    goal.description,
    `created ${goal.created.toISOString()}  updated ${goal.updated.toISOString()}`,
    "",
    `Acceptance (${goal.acceptance.length}):`,
    ...goal.acceptance.map((item) => `  - ${item}`),
    `Sessions (${goal.sessions.length}):`,
    ...goal.sessions.map((link) => `  - ${link.sessionId}  ${link.state}  ${link.task}${link.evidence === null ? "" : `  [evidence: ${link.evidence}]`}`),
    `Notes (${goal.notes.length}):`,
    ...goal.notes.map((note) => `  - ${note}`),
  ];
  return `${lines.join("\n")}\n`;
}

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exitCode = code;
