import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { GOAL_TAG, GoalStore, type Goal } from "../../src/index.js";
import { SqliteGoalMemory } from "../../src/palace/sqlite/index.js";
import { checkFleet, FLEET_CLOCK, type FleetReport, type LogRecord, type WriterLog } from "./multi-writer-check.js";
import { MODEL_LIMITS } from "./reference-model.js";
import { seededRandom } from "../support/random.js";
import { readWriterLogs } from "./writer-logs.js";

const CHILD = fileURLToPath(new URL("./multi-writer-child.mjs", import.meta.url));

/** The size and faults of one multi-writer run. */
export interface MultiWriterOptions {
  /** Writer processes (each a GoalStore over the one SQLite file and data root). */
  processes: number;
  /** Operations each writer performs, one at a time. */
  operations: number;
  /** Shared goals they all work on. */
  goals: number;
  /**
   * SIGKILL one writer mid-run, after a seed-chosen number of its operations:
   * `"anywhere"` wherever it happens to be (mostly between operations, or in
   * the background goals.json write); `"beforeWrite"` / `"afterCommit"` inside
   * a palace write that has not run / has committed, so that the operation's
   * outcome is unknown to it (the second leaves a committed, unacknowledged
   * revision that the others build on).
   */
  kill: "none" | "anywhere" | "beforeWrite" | "afterCommit";
  /** Chooses every writer's operations and the kill; the interleaving is the OS's. */
  seed: number;
  /** The SQLite change feed's polling interval. */
  feedIntervalMs?: number;
  /** A palace defect to inject in every writer, to show that the checker catches it. */
  palaceFault?: "resolveWithoutKeeping" | "staleAfterKeeping";
}

/** The figures of a run; see {@link FleetReport}. */
export type MultiWriterStats = FleetReport & { seed: number };

/**
 * Runs `processes` child writers on shared goals in one SQLite palace and one
 * goals.json, optionally SIGKILLing one, then judges the whole history with
 * {@link checkFleet}. Throws (with the figures as `stats` and the seed in the
 * message) on any violation.
 */
export async function runMultiWriter(options: MultiWriterOptions): Promise<MultiWriterStats> {
  const root = await mkdtemp(join(tmpdir(), "goal-store-fleet-"));
  try {
    const file = join(root, "palace.sqlite");
    const dataRoot = join(root, "data");
    await mkdir(dataRoot);
    const setup = await createGoals(file, dataRoot, options.goals);
    const logs = await runWriters(root, file, dataRoot, setup.ids, options);
    const palace = new SqliteGoalMemory(file);
    let entries: string[];
    try {
      entries = await palace.listGoals(GOAL_TAG);
    } finally {
      palace.close();
    }
    const goalsJson = await readFile(join(dataRoot, "sm", "goals.json"), "utf8");
    const report = checkFleet({ logs: [setup.log, ...logs], palace: entries, goalsJson });
    const stats = { seed: options.seed, ...report };
    if (report.violations.length > 0) {
      const shown = report.violations.slice(0, 10).join("\n");
      throw Object.assign(new Error(`multi-writer run (seed ${options.seed}) found ${report.violations.length} violations:\n${shown}`), { stats });
    }
    return stats;
  } finally {
    // GOAL_STORE_KEEP_FLEET=1 keeps the palace, goals.json and the logs for a look.
    if (process.env.GOAL_STORE_KEEP_FLEET === undefined) await rm(root, { recursive: true, force: true });
    else console.error(`multi-writer run kept in ${root}`);
  }
}

/** Creates the shared goals as writer 0, logging the creates like a child logs its ops. */
async function createGoals(file: string, dataRoot: string, count: number): Promise<{ ids: string[]; log: WriterLog }> {
  let tick = 0;
  const clock = () => new Date(FLEET_CLOCK.epoch + tick++ * FLEET_CLOCK.stride);
  const palace = new SqliteGoalMemory(file);
  const records: LogRecord[] = [];
  const ids: string[] = [];
  try {
    const store = await GoalStore.load(palace, dataRoot, { clock, limits: MODEL_LIMITS });
    for (let seq = 1; seq <= count; seq++) {
      const args = [`fleet goal ${seq}`, ["every writer's change kept once"]];
      const start = { wall: Date.now(), tick };
      const goal: Goal = await store.create(args[0] as string, args[1] as string[]);
      records.push({ t: "start", seq, op: "create", goal: goal.id, args, ...start });
      records.push({ t: "end", seq, ok: true, goal: JSON.parse(JSON.stringify(goal)), wall: Date.now(), tick });
      ids.push(goal.id);
    }
    await store.dispose();
  } finally {
    palace.close();
  }
  return { ids, log: { writer: 0, records, killed: false, setup: true } };
}

/**
 * Starts the writers, lets them go at once, SIGKILLs the victim once it has
 * logged enough operations, and tells the survivors to converge once every
 * writer has stopped. Waits on events only: no sleeps, no timing.
 */
function runWriters(root: string, file: string, dataRoot: string, goals: string[], options: MultiWriterOptions): Promise<WriterLog[]> {
  const random = seededRandom(options.seed);
  const victim = options.kill !== "none" ? 1 + Math.floor(random() * options.processes) : -1;
  const killAfter = Math.max(1, Math.floor(options.operations * (0.2 + 0.6 * random())));
  // Writes, not ops: about half the ops write (the rest are refused or change nothing).
  const freeze =
    options.kill === "beforeWrite" || options.kill === "afterCommit"
      ? { write: Math.max(1, Math.floor(killAfter / 2)), committed: options.kill === "afterCommit" }
      : undefined;
  const writers = Array.from({ length: options.processes }, (_, i) => i + 1);
  const logPath = (writer: number) => join(root, `writer-${writer}.jsonl`);

  return new Promise<WriterLog[]>((resolve, reject) => {
    const children = new Map<number, ChildProcess>();
    const ready = new Set<number>();
    const stopped = new Set<number>(); // done with its ops, or dead
    const exited = new Set<number>();
    let killed = false;
    let failed = false;
    const stderr = new Map<number, string>();

    const abort = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const [writer, child] of children) if (!exited.has(writer)) child.kill("SIGKILL");
      reject(error);
    };
    const send = (writer: number, line: string) => children.get(writer)?.stdin?.write(`${line}\n`);
    const maybeConverge = () => {
      if (stopped.size < writers.length) return;
      for (const writer of writers) if (writer !== victim || !killed) send(writer, "converge");
    };
    const finish = () => readWriterLogs(writers, logPath, victim);

    for (const writer of writers) {
      const config = {
        writer,
        seed: options.seed,
        ops: options.operations,
        goals,
        dataRoot,
        log: logPath(writer),
        epoch: FLEET_CLOCK.epoch,
        stride: FLEET_CLOCK.stride,
        limits: MODEL_LIMITS,
        palace: { kind: "sqlite", file, feedIntervalMs: options.feedIntervalMs ?? 20, fault: options.palaceFault },
        ...(writer === victim && freeze !== undefined ? { freeze } : {}),
      };
      const child = spawn(process.execPath, [CHILD, JSON.stringify(config)], { stdio: ["pipe", "pipe", "pipe"] });
      children.set(writer, child);
      stderr.set(writer, "");
      child.stderr?.on("data", (chunk: Buffer) => stderr.set(writer, (stderr.get(writer) ?? "") + chunk.toString()));
      // A dead child's stdin can report EPIPE; its exit is what matters.
      child.stdin?.on("error", () => {});
      child.on("error", abort);
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        if (line === "ready") {
          ready.add(writer);
          if (ready.size === writers.length) for (const w of writers) send(w, "go");
        } else if (line === "frozen" || (line.startsWith("progress ") && freeze === undefined)) {
          if (writer === victim && !killed && (line === "frozen" || Number(line.slice(9)) >= killAfter)) {
            killed = true;
            child.kill("SIGKILL");
          }
        } else if (line === "done") {
          if (writer === victim && !killed) abort(new Error(`writer ${writer} finished its ops before the planned kill (seed ${options.seed})`));
          else if (writer !== victim) {
            stopped.add(writer);
            maybeConverge();
          }
        }
      });
      child.on("close", (code, signal) => {
        exited.add(writer);
        if (writer === victim && signal === "SIGKILL" && killed) {
          stopped.add(writer);
          maybeConverge();
        } else if (code !== 0) {
          abort(new Error(`writer ${writer} exited ${code ?? signal} (seed ${options.seed}): ${stderr.get(writer) ?? ""}`));
          return;
        }
        if (exited.size === writers.length && !failed) finish().then(resolve, reject);
      });
    }
  });
}

