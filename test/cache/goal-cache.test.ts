import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { CacheCorruptError, CacheIoError, GoalCache, type GoalStoreError } from "../../src/index.js";
import { decodeGoal, goalToWire } from "../../src/wire/index.js";
import { WritableGoalCache } from "../../src/cache/writable-goal-cache.js";
import { freshStore, tempRoot } from "../helpers.js";

describe("GoalCache", () => {
  it("a missing file is an empty mirror", async () => {
    const cache = new GoalCache(join(await tempRoot(), "sm", "goals.json"));
    expect(await cache.read()).toEqual({ goals: [], withheld: [], skipped: [], duplicates: 0 });
  });

  it("invalid JSON and a non-array are CACHE_CORRUPT with the path", async () => {
    const path = join(await tempRoot(), "goals.json");
    const cache = new GoalCache(path);
    for (const text of ["{not json", '{"id":"g-1"}', "", "null"]) {
      await writeFile(path, text);
      const error: unknown = await cache.read().catch((e: unknown) => e);
      expect(error, text).toBeInstanceOf(CacheCorruptError);
      expect(error).toMatchObject({ code: "CACHE_CORRUPT", path });
    }
  });

  it("an unreadable path is CACHE_IO", async () => {
    const root = await tempRoot();
    const error: unknown = await new GoalCache(root).read().catch((e: unknown) => e); // a directory
    expect(error).toBeInstanceOf(CacheIoError);
  });

  it("only reads: writing and sweeping temp files are the store's cache writer's, not public", () => {
    expect("writeContent" in GoalCache.prototype).toBe(false);
    expect("removeStrayTempFiles" in GoalCache.prototype).toBe(false);
  });

  it("creates its folder 0700 and the file 0600, and leaves no temp file", async () => {
    const root = await tempRoot();
    const path = join(root, "sm", "goals.json");
    await new WritableGoalCache(path).writeContent("[]\n");
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dirname(path))).toEqual(["goals.json"]);
    expect(await readFile(path, "utf8")).toBe("[]\n");
  });
});

// A background goals.json write (mkdir, write, fsync, rename, fsync of the folder)
// can take seconds on a loaded machine: wait for its outcome that long, not
// vi.waitFor's default 1 s.
const BACKGROUND_WRITE = { timeout: 30_000, interval: 20 };

describe("the goals.json mirror", () => {
  it("renders exactly JSON.stringify(sorted wire goals, null, 2)", async () => {
    const { store } = await freshStore();
    for (let i = 0; i < 20; i++) {
      const goal = await store.create(`goal ${i} with "quotes"\nand newline`, [`a${i}`]);
      await store.link(goal.id, { sessionId: `s${i}`, task: "multi\nline", evidence: "x\ny" });
    }
    await store.flush();
    const text = await readFile(store.cacheFile, "utf8");
    expect(text).toBe(`${JSON.stringify(store.all().map(goalToWire), null, 2)}\n`);
  });

  it("coalesces a burst of commits into far fewer writes, ending on the newest state", async () => {
    const { store } = await freshStore({}, { latency: "yield" });
    const spy = vi.spyOn(WritableGoalCache.prototype, "writeContent");
    try {
      const goal = await store.create("d");
      await Promise.all(Array.from({ length: 200 }, (_, i) => store.note(goal.id, `n${i}`)));
      await store.flush();
      expect(spy.mock.calls.length).toBeLessThan(100);
      const cached = (JSON.parse(await readFile(store.cacheFile, "utf8")) as unknown[]).map(decodeGoal);
      expect(cached).toEqual(store.all());
    } finally {
      spy.mockRestore();
    }
  });

  it("a reader never sees a torn goals.json while a burst is written", async () => {
    const { store } = await freshStore();
    const goal = await store.create("d");
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        const text = await readFile(store.cacheFile, "utf8").catch(() => "[]");
        expect(() => JSON.parse(text) as unknown).not.toThrow();
        reads++;
      }
    })();
    for (let i = 0; i < 100; i++) await store.note(goal.id, "x".repeat(5000));
    await store.flush();
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
  });

  it("a cache failure never un-commits: onCacheError, flush rejects with CACHE_IO, the next write recovers", async () => {
    const errors: GoalStoreError[] = [];
    const { store, palace, root } = await freshStore({ onCacheError: (error) => errors.push(error) });
    const goal = await store.create("d");
    await store.flush();

    // Make the cache path unwritable: its folder becomes a regular file.
    await rm(join(root, "sm"), { recursive: true });
    await writeFile(join(root, "sm"), "not a folder");
    const noted = await store.note(goal.id, "committed while the cache is broken");
    expect(store.get(goal.id)).toEqual(noted);
    expect(palace.entries("sm-goal")[0]).toContain("committed while the cache is broken");
    const flushError: unknown = await store.flush().catch((e: unknown) => e);
    expect(flushError).toBeInstanceOf(CacheIoError);
    expect(flushError).toMatchObject({ code: "CACHE_IO", path: store.cacheFile });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error.code === "CACHE_IO")).toBe(true);

    // Repaired: flush with no commit since retries and succeeds.
    await rm(join(root, "sm"));
    await store.flush();
    const cached = (JSON.parse(await readFile(store.cacheFile, "utf8")) as unknown[]).map(decodeGoal);
    expect(cached).toEqual(store.all());
  });

  it("after a failed background write the next commit retries it", async () => {
    const errors: GoalStoreError[] = [];
    const { store, root } = await freshStore({ onCacheError: (error) => errors.push(error) });
    const goal = await store.create("d");
    await store.flush();
    await rm(join(root, "sm"), { recursive: true });
    await writeFile(join(root, "sm"), "blocker");
    await store.note(goal.id, "a");
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), BACKGROUND_WRITE);
    await rm(join(root, "sm"));
    await store.note(goal.id, "b");
    await vi.waitFor(async () => {
      const cached = (JSON.parse(await readFile(store.cacheFile, "utf8")) as unknown[]).map(decodeGoal);
      expect(cached[0]?.notes).toEqual(["a", "b"]);
    }, BACKGROUND_WRITE);
  }, 60_000);

  it("a throwing onCacheError does not break the store", async () => {
    const { store, root } = await freshStore({
      onCacheError: () => {
        throw new Error("listener bug");
      },
    });
    const goal = await store.create("d");
    await store.flush();
    await rm(join(root, "sm"), { recursive: true });
    await writeFile(join(root, "sm"), "blocker");
    await store.note(goal.id, "a");
    await expect(store.flush()).rejects.toBeInstanceOf(CacheIoError);
    expect((await store.note(goal.id, "b")).notes).toEqual(["a", "b"]);
  });

  it("cacheFile overrides the default <dataRoot>/sm/goals.json", async () => {
    const custom = join(await tempRoot(), "nested", "mirror.json");
    const { store } = await freshStore({ cacheFile: custom });
    await store.create("d");
    await store.flush();
    expect(store.cacheFile).toBe(custom);
    expect(JSON.parse(await readFile(custom, "utf8"))).toHaveLength(1);
  });

  it("flush with nothing committed resolves", async () => {
    const { store } = await freshStore();
    await store.flush();
    await mkdir(dirname(store.cacheFile), { recursive: true });
    expect(JSON.parse(await readFile(store.cacheFile, "utf8"))).toEqual([]);
  });
});
