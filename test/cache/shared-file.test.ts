import { readdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { GoalStore, type GoalMemory, type GoalStoreError } from "../../src/index.js";
import { withFileLock } from "../../src/cache/lock.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { decodeGoal } from "../../src/wire/index.js";
import { settleAfterTest, tempRoot, waitFor } from "../helpers.js";

function withoutFeed(palace: InMemoryGoalMemory): GoalMemory {
  return {
    rememberGoal: (json, tag, key) => palace.rememberGoal(json, tag, key),
    listGoals: (tag) => palace.listGoals(tag),
    readGoal: (tag, id) => palace.readGoal(tag, id),
  };
}

async function mirrored(store: GoalStore): Promise<Map<string, number>> {
  const goals = (JSON.parse(await readFile(store.cacheFile, "utf8")) as unknown[]).map(decodeGoal);
  return new Map(goals.map((goal) => [goal.id, goal.revision]));
}

describe("several stores mirroring to one goals.json", () => {
  it("goals.json never goes backwards: a store that knows less keeps what another wrote", async () => {
    const palace = new InMemoryGoalMemory();
    const root = await tempRoot();
    const a = settleAfterTest(await GoalStore.load(withoutFeed(palace), root));
    const b = settleAfterTest(await GoalStore.load(withoutFeed(palace), root));
    const x = await a.create("known to a only");
    await a.note(x.id, "one");
    await a.note(x.id, "two");
    await a.flush();
    const y = await b.create("b's goal");
    await b.flush();
    expect(await mirrored(b)).toEqual(new Map([[x.id, 3], [y.id, 1]]));
    await a.note(x.id, "three");
    await a.flush();
    await b.note(y.id, "b again");
    await b.flush();
    expect(await mirrored(a)).toEqual(new Map([[x.id, 4], [y.id, 2]]));
  });

  it("two busy stores on one data root: no write fails, and the file ends at the palace's revisions", async () => {
    const palace = new InMemoryGoalMemory({ latency: "yield" });
    const root = await tempRoot();
    const errors: GoalStoreError[] = [];
    const onCacheError = (error: GoalStoreError) => errors.push(error);
    const a = settleAfterTest(await GoalStore.load(palace, root, { onCacheError }));
    const b = settleAfterTest(await GoalStore.load(palace, root, { onCacheError }));
    const goals = await Promise.all(Array.from({ length: 4 }, (_, i) => a.create(`goal ${i}`)));
    await Promise.all(
      goals.flatMap((goal) => [
        ...Array.from({ length: 25 }, (_, i) => a.note(goal.id, `a${i}`)),
        ...Array.from({ length: 25 }, (_, i) => b.note(goal.id, `b${i}`)),
      ]),
    );
    await Promise.all([a.flush(), b.flush()]);
    expect(errors).toEqual([]);
    expect(await mirrored(a)).toEqual(new Map(goals.map((goal) => [goal.id, 51])));
    await waitFor(() => goals.every((goal) => b.get(goal.id)?.revision === 51));
  });

  it("regression: a goal over the default size limit written by another store stays in goals.json", { timeout: 60_000 }, async () => {
    // Found in review: the merge read goals.json under the default limits and dropped it.
    const root = await tempRoot();
    const cacheFile = join(root, "goals.json");
    const limits = { evidence: 40_000_000, goalSize: 50_000_000 };
    const [a, b] = [
      settleAfterTest(await GoalStore.load(new InMemoryGoalMemory(), root, { cacheFile, limits })),
      settleAfterTest(await GoalStore.load(new InMemoryGoalMemory(), root, { cacheFile, limits })),
    ];
    const big = await a.create("big");
    await a.link(big.id, { sessionId: "s", task: "t", evidence: "x".repeat(35_000_000) });
    await a.flush();
    await b.create("small");
    await b.flush();
    expect((await readFile(cacheFile, "utf8")).includes(big.id)).toBe(true);
  });

  it("regression: a store's load never deletes the temp file of another store that is writing", async () => {
    const palace = new InMemoryGoalMemory();
    const root = await tempRoot();
    const writer = settleAfterTest(await GoalStore.load(palace, root));
    await writer.create("present");
    await writer.flush();
    // Another store is in the middle of a write: it holds the lock and its temp file exists.
    const temp = `${writer.cacheFile}.123456789`; // as write-file-atomic names its temp files
    let finish: (() => void) | undefined;
    const holding = withFileLock(writer.cacheFile, async () => {
      await writeFile(temp, "[]\n");
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await waitFor(() => finish !== undefined);
    const loading = GoalStore.load(palace, root);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await readdir(dirname(temp))).toContain(basename(temp));
    finish?.();
    await holding;
    settleAfterTest(await loading);
  });
});
