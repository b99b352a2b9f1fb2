import { rmSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { GOAL_TAG, GoalStore, type GoalMemory, type GoalStoreError } from "../../src/index.js";
import { decodeGoal } from "../../src/wire/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { settleAfterTest, tempRoot } from "../helpers.js";

/** A palace that runs a hook before its n-th write: here, breaking and repairing the cache folder mid-burst. */
class HookedPalace implements GoalMemory {
  readonly inner = new InMemoryGoalMemory({ latency: "yield" });
  constructor(private readonly hooks: Map<number, () => void | Promise<void>>) {}
  async rememberGoal(json: string, tag: string, key?: { goalId: string; revision: number }): Promise<void> {
    await this.hooks.get(this.inner.writes + 1)?.();
    await this.inner.rememberGoal(json, tag, key);
  }
  listGoals(tag: string): Promise<string[]> {
    return this.inner.listGoals(tag);
  }
}

/**
 * Turns the cache folder into a regular file while background goals.json writes
 * may be running. A write in flight can create its temp file in the folder at
 * any moment, so the folder is renamed aside (one atomic step, whatever it
 * holds) rather than deleted: rmSync(recursive, maxRetries) on Node 20 removes
 * the children once, then retries only the rmdir, so a temp file created in
 * between blocked the event loop for 5.5 s and ended in ENOTEMPTY. If the mirror
 * re-creates the folder before the file is in place, the exclusive create fails
 * and it goes round again.
 */
async function replaceFolderWithFile(folder: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await rename(folder, `${folder}.aside-${attempt}`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    try {
      await writeFile(folder, "not a folder", { flag: "wx" });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

describe("cache faults in the middle of a burst", () => {
  it("the cache folder turns into a file and back: no commit lost, onCacheError called, goals.json converges", async () => {
    const errors: GoalStoreError[] = [];
    const root = await tempRoot();
    const folder = join(root, "sm");
    const palace = new HookedPalace(
      new Map([
        [60, () => replaceFolderWithFile(folder)],
        // Repair only once a background write has hit the broken folder.
        // A background write can take seconds under load: wait for it that long.
        [160, async () => (await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 30_000, interval: 20 }), rmSync(folder))],
      ]),
    );
    const store = settleAfterTest(await GoalStore.load(palace, root, { onCacheError: (error) => errors.push(error) }));
    const goals = await Promise.all(Array.from({ length: 10 }, (_, i) => store.create(`goal ${i}`)));
    // 240 un-awaited commits; the folder breaks at the 60th palace write and is repaired at the 160th.
    const burst = Array.from({ length: 240 }, (_, i) => store.note((goals[i % 10] as { id: string }).id, `note ${i}`));
    const results = await Promise.allSettled(burst);

    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error.code === "CACHE_IO")).toBe(true);
    expect(store.all().reduce((sum, goal) => sum + goal.notes.length, 0)).toBe(240);
    expect(palace.inner.entries(GOAL_TAG)).toHaveLength(10);
    await store.flush();
    const mirrored = (JSON.parse(await readFile(store.cacheFile, "utf8")) as unknown[]).map(decodeGoal);
    expect(mirrored).toEqual(store.all());
  }, 60_000);
});
