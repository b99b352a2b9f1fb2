import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GOAL_TAG, GoalStore } from "../src/index.js";
import { decodeGoal, goalToWire, type WireGoal } from "../src/wire/codec.js";
import type { BenchPalace } from "./palaces.js";

const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.();

/**
 * Times `GoalStore.load` as an orchestrator restart sees it: the palace holds
 * the goals and goals.json, written by the previous run, already matches it.
 * @returns milliseconds until `load` resolved.
 */
export async function timeLoad(bench: BenchPalace, root: string, preload: readonly WireGoal[]): Promise<number> {
  const folder = join(root, "sm");
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const goals = preload.map((wire) => goalToWire(decodeGoal(wire)));
  await writeFile(join(folder, "goals.json"), `${JSON.stringify(goals, null, 2)}\n`, { mode: 0o600 });
  collectGarbage();
  const started = performance.now();
  const store = await GoalStore.load(bench.palace, root);
  const ms = performance.now() - started;
  if (store.loadReport?.goals !== preload.length || store.loadReport.cacheError !== undefined) {
    throw new Error(`benchmark result is wrong: load found ${store.loadReport?.goals} goals, expected ${preload.length}`);
  }
  await store.dispose();
  return ms;
}

/**
 * Times the floor of any load: the palace's one listing query and a
 * `JSON.parse` of every row, nothing checked or kept.
 * @returns milliseconds.
 */
export async function timeFloor(bench: BenchPalace): Promise<number> {
  collectGarbage();
  const started = performance.now();
  const rows = await bench.palace.listGoals(GOAL_TAG);
  let parsed = 0;
  for (const row of rows) if (JSON.parse(row) !== null) parsed++;
  const ms = performance.now() - started;
  if (parsed === 0) throw new Error("benchmark result is wrong: the floor read no rows");
  return ms;
}
