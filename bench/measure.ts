/**
 * Measures one subject in this process and prints one JSON line; bench/main.ts
 * runs it once per subject, case and round, each in a fresh process so that one
 * subject's garbage and JIT state never bill another.
 *
 * Modes: `ops` runs the workload's operations as fast as `--callers` concurrent
 * callers go (each yields to the event loop between operations, as an
 * orchestrator doing other I/O does); `paced` issues them at `--rate` per second
 * without waiting; `load` times `GoalStore.load` over the preloaded palace with
 * goals.json from an earlier run present (a restart); `floor` times what no
 * loader can avoid: one SELECT and a JSON.parse of every row; `feed` (postgres
 * palace only) times commit in one store → `subscribe` callback in a second
 * store on its own PostgresGoalMemory, one commit at a time.
 */
import { deepStrictEqual } from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { compareIds } from "../src/model.js";
import { decodeGoal } from "../src/wire/codec.js";
import { percentile, timeFeed } from "./feed-latency.js";
import { probeMirror, type MirrorProbe } from "./mirror-probe.js";
import { preloadedPalace, type BenchPalace, type PalaceKind } from "./palaces.js";
import type { Subject } from "./subject.js";
import { SUBJECTS } from "./subjects/index.js";
import { timeFloor, timeLoad } from "./time-load.js";
import { buildWorkload, type Operation, type Workload } from "./workload.js";

/** One measurement, as printed. */
export interface Measurement {
  subject: string;
  mode: string;
  goals: number;
  operations: number;
  callers: number;
  seconds: number;
  opsPerSecond: number;
  /** Event-loop delay p99 over the timed part, in ms (perf_hooks.monitorEventLoopDelay, 1 ms resolution). */
  loopDelayP99Ms: number;
  peakRssBytes: number;
  /** Peak RSS over the RSS after the palace was preloaded and before the subject existed. */
  rssGrowthBytes: number;
  /** goals.json's size at the end (0 when the subject keeps none). */
  cacheBytes: number;
  /** Bytes written to goals.json during the timed part (`paced` mode). */
  cacheBytesWritten: number;
  /** goals.json writes during the timed part (`paced` mode). */
  cacheWrites: number;
  /** Longest a commit waited to be in goals.json (`paced` mode), in ms. */
  maxLagMs: number;
  /** `feed` mode: one store's mutation call → `subscribe` callback in the other, in ms (p50, p99, max). */
  feedP50Ms: number;
  feedP99Ms: number;
  feedMaxMs: number;
  /** `feed` mode: from the mutation resolving (commit acknowledged) instead of the call. */
  feedAckP50Ms: number;
  feedAckP99Ms: number;
}

const { values } = parseArgs({
  options: {
    subject: { type: "string", default: "" },
    palace: { type: "string", default: "memory" },
    mode: { type: "string", default: "ops" },
    goals: { type: "string", default: "1000" },
    operations: { type: "string", default: "2000" },
    callers: { type: "string", default: "1" },
    rate: { type: "string", default: "500" },
    seed: { type: "string", default: "42" },
  },
});

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function main(): Promise<void> {
  const mode = values.mode;
  const palaceKind = values.palace as PalaceKind;
  const callers = Number(values.callers);
  const workload = buildWorkload(Number(values.goals), Number(values.operations), Number(values.seed));
  const root = await mkdtemp(join(tmpdir(), "goal-store-bench-"));
  try {
    const bench = await preloadedPalace(palaceKind, root, workload.preload);
    try {
      await measureOver(bench, root, workload, mode, callers);
    } finally {
      await bench.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

// Measures `mode` over a preloaded palace and prints the measurement; the caller closes the palace.
async function measureOver(
  bench: BenchPalace,
  root: string,
  workload: Workload,
  mode: string,
  callers: number,
): Promise<void> {
  if (mode === "load" || mode === "floor") {
    const ms = mode === "load" ? await timeLoad(bench, root, workload.preload) : await timeFloor(bench);
    print({ ...empty(values.subject, mode, workload.preload.length, 0, callers), seconds: ms / 1000 });
    return;
  }
  let tick = Date.UTC(2026, 10, 25);
  const clock = () => new Date((tick += 1000));
  if (mode === "feed") {
    const started = performance.now();
    const { fromCall, fromAck, state } = await timeFeed(bench, root, workload.operations, clock);
    const seconds = (performance.now() - started) / 1000;
    workload.verify(state);
    print({
      ...empty(values.subject, mode, workload.preload.length, workload.operations.length, 1),
      seconds,
      opsPerSecond: workload.operations.length / seconds,
      feedP50Ms: percentile(fromCall, 50),
      feedP99Ms: percentile(fromCall, 99),
      feedMaxMs: Math.max(...fromCall),
      feedAckP50Ms: percentile(fromAck, 50),
      feedAckP99Ms: percentile(fromAck, 99),
    });
    return;
  }
  const factory = SUBJECTS[values.subject];
  if (factory === undefined) throw new Error(`unknown subject ${JSON.stringify(values.subject)}`);
  (globalThis as { gc?: () => void }).gc?.();
  const baselineRss = process.memoryUsage().rss;
  const subject = await factory({
    palace: bench.palace,
    sqliteFile: bench.sqliteFile,
    postgres: bench.postgres,
    root,
    preload: workload.preload,
    clock,
  });

  const probe = mode === "paced" ? probeMirror() : undefined;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const commitTimes =
    mode === "paced" ? await runPaced(subject, workload.operations, Number(values.rate)) : await runCallers(subject, workload.operations, callers);
  let maxLagMs = 0;
  if (probe !== undefined) {
    // No flush: the background writer alone must catch up.
    maxLagMs = await settledLag(probe, commitTimes);
  }
  await subject.flush();
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  probe?.restore();

  // A benchmark that measures a wrong result is worthless: check the state
  // against the workload, and goals.json against the state.
  const state = subject.state();
  workload.verify(state);
  let cacheBytes = 0;
  if (subject.cacheFile !== undefined) cacheBytes = await checkCache(subject.cacheFile, state, values.subject);
  await subject.close();
  print({
    subject: values.subject,
    mode,
    goals: workload.preload.length,
    operations: workload.operations.length,
    callers,
    seconds,
    opsPerSecond: workload.operations.length / seconds,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    peakRssBytes,
    rssGrowthBytes: peakRssBytes - baselineRss,
    cacheBytes,
    cacheBytesWritten: probe?.bytes() ?? 0,
    cacheWrites: probe?.writes() ?? 0,
    maxLagMs,
    feedP50Ms: 0,
    feedP99Ms: 0,
    feedMaxMs: 0,
    feedAckP50Ms: 0,
    feedAckP99Ms: 0,
  });
}

async function runCallers(subject: Subject, operations: readonly Operation[], callers: number): Promise<number[]> {
  let next = 0;
  const caller = async () => {
    while (next < operations.length) {
      await subject.apply(operations[next++] as Operation);
      await yieldTurn();
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
  return [];
}

// Issues operation i at i / rate seconds from the start, without waiting for
// earlier ones (the store serialises them); records when each one committed.
async function runPaced(subject: Subject, operations: readonly Operation[], rate: number): Promise<number[]> {
  const commitTimes: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let next = 0;
  while (next < operations.length) {
    const due = Math.min(operations.length, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    for (; next < due; next++) {
      pending.push(subject.apply(operations[next] as Operation).then(() => void commitTimes.push(performance.now())));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  return commitTimes;
}

// Waits (without flushing) until every commit is in a completed goals.json
// write, or 10 s, and returns the worst lag.
async function settledLag(probe: MirrorProbe, commitTimes: readonly number[]): Promise<number> {
  const last = Math.max(...commitTimes);
  const until = performance.now() + 10_000;
  while (probe.maxLagMs([last]) === Infinity && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  return probe.maxLagMs(commitTimes);
}

async function checkCache(cacheFile: string, state: ReturnType<Subject["state"]>, name: string): Promise<number> {
  const text = await readFile(cacheFile, "utf8");
  const mirrored = (JSON.parse(text) as unknown[]).map(decodeGoal).sort((a, b) => compareIds(a.id, b.id));
  try {
    deepStrictEqual(mirrored, state);
  } catch {
    const differing = mirrored.findIndex((goal, i) => JSON.stringify(goal) !== JSON.stringify(state[i]));
    throw new Error(
      `benchmark result is wrong: ${name}'s goals.json (${mirrored.length} goals) differs from its state ` +
        `(${state.length} goals), first at index ${differing}`,
    );
  }
  return Buffer.byteLength(text);
}

function empty(subject: string, mode: string, goals: number, operations: number, callers: number): Measurement {
  return {
    subject,
    mode,
    goals,
    operations,
    callers,
    seconds: 0,
    opsPerSecond: 0,
    loopDelayP99Ms: 0,
    peakRssBytes: 0,
    rssGrowthBytes: 0,
    cacheBytes: 0,
    cacheBytesWritten: 0,
    cacheWrites: 0,
    maxLagMs: 0,
    feedP50Ms: 0,
    feedP99Ms: 0,
    feedMaxMs: 0,
    feedAckP50Ms: 0,
    feedAckP99Ms: 0,
  };
}

function print(measurement: Measurement): void {
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

await main();
