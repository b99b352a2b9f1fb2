/**
 * Measures one subject in this process and prints one JSON line; bench/main.ts
 * runs it once per subject, configuration and round, each in a fresh process so
 * that one subject's garbage and JIT state never bill another.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deepStrictEqual } from "node:assert/strict";
import { decodeGoal } from "../src/wire/codec.js";
import { compareIds } from "../src/model.js";
import { GOAL_TAG } from "../src/index.js";
import { InMemoryGoalMemory } from "../src/testing/index.js";
import type { SubjectFactory } from "./subject.js";
import { ceilingSubject } from "./subjects/ceiling.js";
import { goalStoreSubject } from "./subjects/goal-store.js";
import { lowdbSubject } from "./subjects/lowdb.js";
import { naivePortSubject } from "./subjects/naive-port.js";
import { buildWorkload } from "./workload.js";

/** The subjects, in the order each round runs them. */
export const SUBJECTS: Record<string, SubjectFactory> = {
  "goal-store": goalStoreSubject,
  lowdb: lowdbSubject,
  "naive port": naivePortSubject,
  ceiling: ceilingSubject,
};

/** One measurement, as printed. */
export interface Measurement {
  subject: string;
  goals: number;
  operations: number;
  latency: "immediate" | "yield";
  callers: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssBytes: number;
  rssGrowthBytes: number;
  /** JS heap plus off-heap buffers still reachable after a full GC, over the baseline: the store's real footprint. */
  liveGrowthBytes: number;
  cacheBytes: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      subject: { type: "string" },
      goals: { type: "string" },
      operations: { type: "string" },
      latency: { type: "string", default: "immediate" },
      callers: { type: "string", default: "1" },
      seed: { type: "string", default: "42" },
    },
  });
  const name = values.subject ?? "";
  const factory = SUBJECTS[name];
  if (factory === undefined) throw new Error(`unknown subject ${JSON.stringify(name)}`);
  const latency = values.latency === "yield" ? "yield" : "immediate";
  const callers = Number(values.callers);

  const workload = buildWorkload(Number(values.goals), Number(values.operations), Number(values.seed));
  const { operations } = workload;
  const baseline = process.memoryUsage();

  const root = await mkdtemp(join(tmpdir(), "goal-store-bench-"));
  let tick = Date.UTC(2026, 10, 25);
  const clock = () => new Date((tick += 1000));
  const palace = new InMemoryGoalMemory();
  for (const wire of workload.preload) {
    await palace.rememberGoal(JSON.stringify(wire), GOAL_TAG, { goalId: wire.id, revision: wire.revision });
  }
  const subject = await factory({ palace, root, preload: workload.preload, clock });
  palace.latency = latency === "yield" ? "yield" : 0;

  const latencies = new Float64Array(operations.length);
  let next = 0;
  const caller = async () => {
    while (next < operations.length) {
      const i = next++;
      const started = performance.now();
      await subject.apply(operations[i] as (typeof operations)[number]);
      latencies[i] = performance.now() - started;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: callers }, caller));
  await subject.flush();
  const seconds = (performance.now() - started) / 1000;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  // With --expose-gc, what the subject keeps alive, without the garbage V8 has
  // not yet collected: JS heap plus off-heap buffers.
  (globalThis as { gc?: () => void }).gc?.();
  const live = (usage: NodeJS.MemoryUsage) => usage.heapUsed + usage.external;
  const liveGrowthBytes = live(process.memoryUsage()) - live(baseline);

  // A benchmark that measures a wrong result is worthless: check the state
  // against the workload, and goals.json against the state.
  const state = subject.state();
  workload.verify(state);
  let cacheBytes = 0;
  if (subject.cacheFile !== undefined) {
    const text = await readFile(subject.cacheFile, "utf8");
    cacheBytes = Buffer.byteLength(text);
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
  }
  await rm(root, { recursive: true, force: true });

  latencies.sort();
  const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  const measurement: Measurement = {
    subject: name,
    goals: workload.preload.length,
    operations: operations.length,
    latency,
    callers,
    opsPerSecond: operations.length / seconds,
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
    peakRssBytes,
    rssGrowthBytes: peakRssBytes - baseline.rss,
    liveGrowthBytes,
    cacheBytes,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

await main();
