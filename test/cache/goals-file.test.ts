import { chmod, chown, mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { CacheIoError, GoalStore } from "../../src/index.js";
import { WritableGoalCache } from "../../src/cache/writable-goal-cache.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { settleAfterTest, tempRoot } from "../helpers.js";

// Issue 13: goals.json is written with write-file-atomic again; the folder is
// private also when it existed; a full disk keeps its error code.

const writes = vi.hoisted(() => ({ calls: 0 }));
vi.mock("write-file-atomic", async (importOriginal) => {
  const actual = (await importOriginal<{ default: (...args: unknown[]) => Promise<void> }>()).default;
  return {
    default: (...args: unknown[]) => {
      writes.calls++;
      return actual(...args);
    },
  };
});

// A file handle whose writev writes half, then fails as a full disk does.
const diskFull = vi.hoisted(() => ({ on: false }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const open: typeof actual.open = async (...args) => {
    const handle = await actual.open(...args);
    if (!diskFull.on) return handle;
    let calls = 0;
    const writev = handle.writev.bind(handle);
    handle.writev = (async (buffers: NodeJS.ArrayBufferView[]) => {
      if (++calls > 1) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28 });
      const first = buffers[0] as Uint8Array;
      return writev([first.subarray(0, Math.max(1, first.byteLength >> 1))]);
    }) as typeof handle.writev;
    return handle;
  };
  return { ...actual, open };
});

const mode = async (path: string) => (await stat(path)).mode & 0o7777;

describe("goals.json on disk", () => {
  it("is written by write-file-atomic, mode 0600, no temp file left", async () => {
    const root = await tempRoot();
    const cache = new WritableGoalCache(join(root, "sm", "goals.json"));
    const before = writes.calls;
    await cache.writeContent("[]\n");
    expect(writes.calls).toBe(before + 1);
    expect(await readFile(cache.path, "utf8")).toBe("[]\n");
    expect(await mode(cache.path)).toBe(0o600);
    expect(await readdir(join(root, "sm"))).toEqual(["goals.json"]);
  });

  it("an existing folder of ours at 0777 is made 0700, an existing goals.json at 0644 becomes 0600", async () => {
    const root = await tempRoot();
    const folder = join(root, "sm");
    await mkdir(folder);
    await chmod(folder, 0o777);
    await writeFile(join(folder, "goals.json"), "[]\n", { mode: 0o644 });
    const store = settleAfterTest(await GoalStore.load(new InMemoryGoalMemory(), root));
    await store.create("private");
    await store.flush();
    expect(await mode(folder)).toBe(0o700);
    expect(await mode(store.cacheFile)).toBe(0o600);
  });

  it("a folder writable by others that is not ours is refused with CACHE_IO, nothing written there", async () => {
    const root = await tempRoot();
    const shared = join(root, "shared");
    await mkdir(shared);
    await chmod(shared, 0o777);
    // Not ours: owned by another user (the tests run as root, or this check is what a non-root user hits with /tmp).
    if (process.getuid?.() === 0) await chown(shared, 65534, 65534);
    else await chmod(shared, 0o1777);
    const cache = new WritableGoalCache(join(shared, "goals.json"));
    const error = await cache.writeContent("[]\n").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheIoError);
    expect(await readdir(shared)).toEqual([]);
  });

  it("a disk that fills mid-write: CACHE_IO whose cause keeps ENOSPC, goals.json intact, no temp left", async () => {
    const root = await tempRoot();
    const cache = new WritableGoalCache(join(root, "sm", "goals.json"));
    await cache.writeContent("[]\n");
    diskFull.on = true;
    let error: unknown;
    try {
      error = await cache.writeContent([Buffer.from("[\n  1,\n  2\n]\n")]).catch((e: unknown) => e);
    } finally {
      diskFull.on = false;
    }
    expect(error).toBeInstanceOf(CacheIoError);
    expect((error as CacheIoError).cause).toMatchObject({ code: "ENOSPC" });
    expect(await readFile(cache.path, "utf8")).toBe("[]\n");
    expect(await readdir(join(root, "sm"))).toEqual(["goals.json"]);
  });

  it("goals.json being a symlink is refused: its target is never replaced", async () => {
    const root = await tempRoot();
    const victim = join(root, "victim.txt");
    await writeFile(victim, "precious");
    await mkdir(join(root, "sm"), { mode: 0o700 });
    await symlink(victim, join(root, "sm", "goals.json"));
    const cache = new WritableGoalCache(join(root, "sm", "goals.json"));
    await expect(cache.writeContent("[]\n")).rejects.toBeInstanceOf(CacheIoError);
    expect(await readFile(victim, "utf8")).toBe("precious");
  });
});

describe("stray temp files", () => {
  it("load, holding goals.json.lock, sweeps the temp files dead writers left, whatever their age, and no other names", async () => {
    const root = await tempRoot();
    const folder = join(root, "sm");
    const cache = new WritableGoalCache(join(folder, "goals.json"));
    await cache.writeContent("[]\n");
    const temps = ["goals.json.123456", "goals.json." + "ab".repeat(16) + ".tmp", "goals.json.987654"];
    const others = ["goals.json.bak", "goals.json.12x", "other.json.123"];
    for (const name of [...temps, ...others]) await writeFile(join(folder, name), "half a write");
    settleAfterTest(await GoalStore.load(new InMemoryGoalMemory(), root));
    expect((await readdir(folder)).sort()).toEqual(["goals.json", ...others].sort());
  });

  it("WritableGoalCache.removeStrayTempFiles() without the lock removes only temp files older than an hour", async () => {
    const root = await tempRoot();
    const cache = new WritableGoalCache(join(root, "goals.json"));
    const [old, young] = ["goals.json.123456", "goals.json.987654"];
    for (const name of [old, young]) await writeFile(join(root, name), "half a write");
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(join(root, old), twoHoursAgo, twoHoursAgo);
    expect(await cache.removeStrayTempFiles()).toBe(1);
    expect(await readdir(root)).toEqual([young]);
  });
});
