import { ansi, plain } from "../../format/colour.js";
import { terminalSafe } from "../../format/terminal-safe.js";
import type { Goal } from "../../index.js";
import { WriteScheduler } from "../../util/write-scheduler.js";
import type { CliRequest } from "../args.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { reportLine, type CliIo } from "../io.js";
import type { PalaceSource } from "../palace-source.js";
import { readGoals, type GoalsRead } from "../read-goals.js";
import { selectGoals } from "../select-goals.js";
import { cacheFileChanges } from "./cache-file-changes.js";
import type { ChangeSource } from "./change-source.js";
import { ChangeLog } from "./change-log.js";
import { LiveView } from "./live-view.js";

/**
 * `goal-store watch`: the live view on a terminal, else a change log. Runs until
 * the operator quits (q) or the process is interrupted; exits 1 only when the
 * goals cannot be read at the start.
 */
export async function watchCommand(request: CliRequest, palace: PalaceSource | undefined, io: CliIo): Promise<ExitCodeValue> {
  const first = await readGoals(palace, request.root);
  if ("errors" in first) {
    for (const error of first.errors) reportLine(io, error);
    return ExitCode.problem;
  }
  const select = (goals: readonly Goal[]) => selectGoals(goals, request.statuses, request.sort);
  const changes = changeSourceFor(palace, first);
  const title = `goal-store watch  ${terminalSafe(first.source.path)}`;

  let show: (goals: Goal[], notice: string | undefined) => Promise<void>;
  let finished: Promise<void>;
  if (io.terminal !== undefined && !request.json) {
    const view = new LiveView(io.terminal, title, io.colour ? ansi : plain);
    show = async (goals, notice) => view.update(goals, notice);
    finished = view.run();
  } else {
    for (const notice of first.notices) reportLine(io, notice);
    const log = new ChangeLog((text) => io.out(text), request.json);
    show = (goals, notice) => {
      if (notice !== undefined) reportLine(io, notice);
      return log.update(goals, new Date());
    };
    finished = interrupted();
  }
  await show(select(first.goals), first.notices.at(-1));

  // One read at a time; changes during a read cause exactly one more. A read
  // that throws (a bug) ends the watch as an internal error.
  let readFailed: (error: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (readFailed = reject));
  const rereads = new WriteScheduler(
    async () => {
      const next = await readGoals(palace, request.root);
      if ("errors" in next) await show(select(first.goals), next.errors.join("; "));
      else {
        first.goals = next.goals;
        await show(select(next.goals), next.notices.at(-1));
      }
    },
    { onError: (error) => readFailed(error) },
  );
  const stop = changes.start(() => rereads.request());
  try {
    await Promise.race([finished, failed]);
  } finally {
    await stop();
  }
  return ExitCode.ok;
}

// The palace when it was read; goals.json when it was named alone or the palace fell back to it.
function changeSourceFor(palace: PalaceSource | undefined, read: GoalsRead): ChangeSource {
  return palace !== undefined && read.source.name === "palace" ? palace.changes() : cacheFileChanges(read.source.path);
}

// A log runs until the process is told to stop; stopping is a normal end.
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}
