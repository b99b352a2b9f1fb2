import { deepStrictEqual } from "node:assert/strict";
import { join } from "node:path";
import { GoalStore, type Goal } from "../src/index.js";
import { PostgresGoalMemory } from "../src/palace/postgres/index.js";
import type { BenchPalace } from "./palaces.js";
import { applyOperation } from "./subjects/goal-store.js";
import type { Operation } from "./workload.js";

/** Feed latency samples, and the writer's state for the workload check. */
export interface FeedTiming {
  /** Per commit: ms from the writer's mutation call to the reader's `subscribe` callback (an upper bound: it includes the write). */
  fromCall: number[];
  /** Per commit: ms from the writer's mutation resolving (the commit acknowledged) to the reader's callback (can be ≤ 0). */
  fromAck: number[];
  state: Goal[];
}

/**
 * Commit in one store, `subscribe` callback in another: two GoalStores with
 * data roots of their own, each over its own PostgresGoalMemory (own pool, own
 * LISTEN connection) on the same schema, in this process. The writer applies
 * the operations one at a time and waits for each to reach the reader before
 * the next, so every sample is one commit's trip (NOTIFY, then the reader's
 * read of the entry) with nothing queued behind it. Throws unless every commit
 * arrives within 10 s and the reader's view ends equal to the writer's.
 */
export async function timeFeed(bench: BenchPalace, root: string, operations: readonly Operation[], clock: () => Date): Promise<FeedTiming> {
  if (bench.postgres === undefined) throw new Error("feed latency runs over the postgres palace only");
  const writer = await GoalStore.load(bench.palace, join(root, "writer"), { clock });
  const readerPalace = new PostgresGoalMemory(bench.postgres.url, { schema: bench.postgres.schema });
  const reader = await GoalStore.load(readerPalace, join(root, "reader"));
  try {
    await readerPalace.feedReady();
    const arrived = new Map<string, number>();
    let waiting: { key: string; resolve: () => void } | undefined;
    reader.subscribe(({ goal, origin }) => {
      if (origin !== "remote") return;
      const key = `${goal.id}@${goal.revision}`;
      arrived.set(key, performance.now());
      if (waiting?.key === key) waiting.resolve();
    });
    const fromCall: number[] = [];
    const fromAck: number[] = [];
    for (const operation of operations) {
      const called = performance.now();
      const goal = await applyOperation(writer, operation);
      const committed = performance.now();
      const key = `${goal.id}@${goal.revision}`;
      if (!arrived.has(key)) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`benchmark result is wrong: ${key} did not reach the reader within 10 s`)), 10_000);
          waiting = {
            key,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          };
        });
        waiting = undefined;
      }
      const arrival = arrived.get(key) as number;
      fromCall.push(arrival - called);
      fromAck.push(arrival - committed);
    }
    const state = writer.all();
    try {
      deepStrictEqual(reader.all(), state);
    } catch {
      throw new Error("benchmark result is wrong: the reader's goals differ from the writer's after every commit arrived");
    }
    return { fromCall, fromAck, state };
  } finally {
    await reader.dispose();
    await readerPalace.close();
    await writer.dispose();
  }
}

/** The `p`th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
