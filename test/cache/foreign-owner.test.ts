import { chmod, chown, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CacheIoError, GoalStore, type GoalStoreError } from "../../src/index.js";
import { WritableGoalCache } from "../../src/cache/writable-goal-cache.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { settleAfterTest, tempRoot } from "../helpers.js";

// Issue 19.5: a store running as root accepted an sm/ folder owned by another
// user at 0755; that user could still plant symlinks at write-file-atomic's
// temp names, or a goals.json that every rewrite handed back to them.

const NOBODY = 65534;
const runningAsRoot = process.geteuid?.() === 0;

async function loadWithErrors(root: string, cacheFile?: string): Promise<{ store: GoalStore; errors: GoalStoreError[] }> {
  const errors: GoalStoreError[] = [];
  const options = { onCacheError: (error: GoalStoreError) => errors.push(error), ...(cacheFile === undefined ? {} : { cacheFile }) };
  const store = settleAfterTest(await GoalStore.load(new InMemoryGoalMemory(), root, options));
  return { store, errors };
}

describe("goals.json's folder and file belong to the process that writes them", () => {
  it("regression (issue 19.5): an sm/ folder owned by another user is refused even at 0755: CACHE_IO naming its owner, nothing written in it", async () => {
    const root = await tempRoot();
    // As root, a folder of nobody's; otherwise a folder of root's (/): foreign either way.
    const folder = runningAsRoot ? join(root, "sm") : "/";
    if (runningAsRoot) {
      await mkdir(folder, { mode: 0o755 });
      await chown(folder, NOBODY, NOBODY);
    }
    const before = await readdir(folder);
    const { store, errors } = await loadWithErrors(root, join(folder, "goals.json"));
    expect(store.loadReport?.cacheError).toBeInstanceOf(CacheIoError);
    const goal = await store.create("kept in the palace");
    const error = await store.flush().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CacheIoError);
    expect((error as CacheIoError).message).toContain(`uid ${runningAsRoot ? NOBODY : 0}`);
    expect(errors.every((reported) => reported.code === "CACHE_IO")).toBe(true);
    expect(await readdir(folder)).toEqual(before);
    expect(store.get(goal.id)?.description).toBe("kept in the palace");
    expect((await stat(folder)).mode & 0o777).toBe(runningAsRoot ? 0o755 : (await stat("/")).mode & 0o777);
  });

  it.runIf(runningAsRoot)("regression (issue 19.5): a goals.json owned by another user is refused, neither rewritten nor handed back to them", async () => {
    const root = await tempRoot();
    const folder = join(root, "sm");
    await mkdir(folder, { mode: 0o700 });
    const planted = join(folder, "goals.json");
    await writeFile(planted, "[]\n", { mode: 0o644 });
    await chown(planted, NOBODY, NOBODY);
    const { store } = await loadWithErrors(root);
    await store.create("secret");
    await expect(store.flush()).rejects.toBeInstanceOf(CacheIoError);
    expect(await readFile(planted, "utf8")).toBe("[]\n");
    expect((await stat(planted)).uid).toBe(NOBODY);
    expect((await readdir(folder)).filter((name) => name !== "goals.json")).toEqual([]);
  });

  it.runIf(runningAsRoot)("a data root inside a folder owned by another user is refused: that user could swap sm/ for a folder of theirs", async () => {
    const root = await tempRoot();
    const theirs = join(root, "theirs");
    await mkdir(theirs, { mode: 0o755 });
    await chown(theirs, NOBODY, NOBODY);
    const cache = new WritableGoalCache(join(theirs, "data", "sm", "goals.json"));
    const error = await cache.writeContent("[]\n").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheIoError);
    expect((error as CacheIoError).message).toContain(`uid ${NOBODY}`);
    expect(await readdir(join(theirs, "data", "sm"))).toEqual([]);
  });

  it("a folder above writable by every user is refused unless sticky (as /tmp); one writable by its group is accepted", async () => {
    const root = await tempRoot();
    const open = join(root, "open");
    const sticky = join(root, "sticky");
    const group = join(root, "group");
    for (const [folder, mode] of [[open, 0o777], [sticky, 0o1777], [group, 0o775]] as const) {
      await mkdir(folder);
      await chmod(folder, mode);
    }
    await expect(new WritableGoalCache(join(open, "sm", "goals.json")).writeContent("[]\n")).rejects.toBeInstanceOf(CacheIoError);
    await new WritableGoalCache(join(sticky, "sm", "goals.json")).writeContent("[]\n");
    await new WritableGoalCache(join(group, "sm", "goals.json")).writeContent("[]\n");
    expect(await readFile(join(sticky, "sm", "goals.json"), "utf8")).toBe("[]\n");
    expect(await readFile(join(group, "sm", "goals.json"), "utf8")).toBe("[]\n");
  });
});
