import { readFile, stat, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { GoalStore } from "../../src/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { settleAfterTest, steppingClock, tempRoot } from "../helpers.js";

const HOUR = 60 * 60 * 1000;
const inode = async (path: string) => {
  const { ino, mtimeMs } = await stat(path);
  return `${ino}/${mtimeMs}`;
};
const ids = async (path: string) => (JSON.parse(await readFile(path, "utf8")) as { id: string }[]).map((goal) => goal.id);

describe("goals.json write interval (cacheWriteIntervalMs)", () => {
  it("flush() does not wait for the interval: it writes at once", async () => {
    const store = settleAfterTest(new GoalStore(new InMemoryGoalMemory(), await tempRoot(), { cacheWriteIntervalMs: HOUR }));
    const first = await store.create("first");
    await store.flush();
    // A background write now would rest an hour; flush ends the rest.
    const second = await store.create("second");
    await store.flush();
    expect((await ids(store.cacheFile)).sort()).toEqual([first.id, second.id].sort());
  });

  it("dispose() does not wait for the interval either", async () => {
    const store = new GoalStore(new InMemoryGoalMemory(), await tempRoot(), { cacheWriteIntervalMs: HOUR });
    await store.create("first");
    await store.flush();
    const second = await store.create("second");
    await store.dispose();
    expect(await ids(store.cacheFile)).toContain(second.id);
  });

  it("nothing is rewritten when nothing changed", async () => {
    const store = settleAfterTest(new GoalStore(new InMemoryGoalMemory(), await tempRoot()));
    await store.create("one");
    await store.flush();
    const before = await inode(store.cacheFile);
    await store.flush();
    await store.flush();
    expect(await inode(store.cacheFile)).toBe(before);
  });

  it("a background write follows a commit without any flush, after the interval", async () => {
    const store = settleAfterTest(new GoalStore(new InMemoryGoalMemory(), await tempRoot(), { cacheWriteIntervalMs: 20 }));
    await store.create("first");
    await store.flush();
    const second = await store.create("second");
    await expect.poll(() => ids(store.cacheFile).catch(() => []), { timeout: 10_000, interval: 20 }).toContain(second.id);
  });

  it("refuses a negative or fractional interval as INVALID_INPUT", async () => {
    const root = await tempRoot();
    for (const cacheWriteIntervalMs of [-1, 1.5, Number.NaN]) {
      expect(() => new GoalStore(new InMemoryGoalMemory(), root, { cacheWriteIntervalMs })).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
    }
  });
});

describe("load and an existing goals.json", () => {
  it("leaves a goals.json that already matches the palace untouched (a restart)", async () => {
    const palace = new InMemoryGoalMemory();
    const root = await tempRoot();
    const first = await GoalStore.load(palace, root, { clock: steppingClock() });
    await first.create("kept");
    await first.dispose();
    const before = await inode(first.cacheFile);
    const second = settleAfterTest(await GoalStore.load(palace, root));
    await second.flush();
    expect(await inode(second.cacheFile)).toBe(before);
  });

  it("rewrites a goals.json that differs from the palace, in the background, without reporting cacheError", async () => {
    const palace = new InMemoryGoalMemory();
    const root = await tempRoot();
    const first = await GoalStore.load(palace, root, { clock: steppingClock() });
    const goal = await first.create("from the palace");
    await first.dispose();
    await writeFile(first.cacheFile, "[]\n");
    const second = settleAfterTest(await GoalStore.load(palace, root));
    expect(second.loadReport?.cacheError).toBeUndefined();
    await second.flush();
    expect(await ids(second.cacheFile)).toEqual([goal.id]);
  });
});
