import { spawn } from "node:child_process";
import { once } from "node:events";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { GoalStore, PalaceError } from "../../src/index.js";
import { SqliteGoalMemory } from "../../src/palace/sqlite/index.js";
import { settleAfterTest, tempRoot } from "../helpers.js";

const repo = resolve(import.meta.dirname, "../..");

// Issue 19.13: better-sqlite3 waits for another connection's lock inside the
// call, for the whole busy timeout: a note blocked on another process's write
// held every timer (0 fires of a 10 ms timer in 3 s) and the store's
// palaceTimeoutMs could not fire either.

// Another process that holds a write transaction on `file` for `holdMs`.
async function holdWriteLock(file: string, holdMs: number): Promise<{ released: Promise<unknown> }> {
  const script = `
    const Database = require("better-sqlite3");
    const db = new Database(${JSON.stringify(file)});
    db.exec("BEGIN IMMEDIATE");
    console.log("locked");
    setTimeout(() => { db.exec("COMMIT"); db.close(); }, ${holdMs});`;
  const child = spawn(process.execPath, ["-e", script], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
  const released = once(child, "exit");
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  expect(line).toBe("locked");
  return { released };
}

// Counts the fires of a 10 ms interval timer while `work` runs.
async function timerFiresDuring<T>(work: () => Promise<T>): Promise<{ fires: number; outcome: PromiseSettledResult<T> }> {
  let fires = 0;
  const timer = setInterval(() => fires++, 10);
  try {
    const [outcome] = await Promise.allSettled([work()]);
    return { fires, outcome: outcome as PromiseSettledResult<T> };
  } finally {
    clearInterval(timer);
  }
}

async function storeOnFile(palaceTimeoutMs: number): Promise<{ store: GoalStore; palace: SqliteGoalMemory; file: string; goalId: string }> {
  const root = await tempRoot();
  const file = join(root, "palace.sqlite");
  const palace = new SqliteGoalMemory(file);
  const store = settleAfterTest(await GoalStore.load(palace, root, { palaceTimeoutMs }));
  const goal = await store.create("waits for the lock");
  return { store, palace, file, goalId: goal.id };
}

describe("SqliteGoalMemory waiting for another process's write lock", () => {
  it("regression (issue 19.13): the event loop keeps running while a note waits, and the note lands once the lock is released", { timeout: 30_000 }, async () => {
    const { store, palace, file, goalId } = await storeOnFile(10_000);
    try {
      const { released } = await holdWriteLock(file, 1000);
      const { fires, outcome } = await timerFiresDuring(() => store.note(goalId, "after the lock"));
      await released;
      expect(outcome).toMatchObject({ status: "fulfilled", value: { revision: 2, notes: ["after the lock"] } });
      // About 100 in the second the lock is held; none at all when the wait blocks.
      expect(fires).toBeGreaterThan(20);
    } finally {
      await store.dispose();
      palace.close();
    }
  });

  it("regression (issue 19.13): a palaceTimeoutMs shorter than the wait is honoured: the note fails with PALACE, outcome unknown", { timeout: 30_000 }, async () => {
    const { store, palace, file, goalId } = await storeOnFile(200);
    try {
      const { released } = await holdWriteLock(file, 1500);
      const { outcome } = await timerFiresDuring(() => store.note(goalId, "too late"));
      await released;
      expect(outcome.status).toBe("rejected");
      const error = (outcome as PromiseRejectedResult).reason as unknown;
      expect(error).toBeInstanceOf(PalaceError);
      expect(error).toMatchObject({ code: "PALACE", outcome: "unknown" });
    } finally {
      await store.dispose();
      palace.close();
    }
  });

  it("gives up after busyTimeoutMs with the busy error, the goal unchanged", { timeout: 30_000 }, async () => {
    const root = await tempRoot();
    const file = join(root, "palace.sqlite");
    const palace = new SqliteGoalMemory(file, { busyTimeoutMs: 100 });
    const store = settleAfterTest(await GoalStore.load(palace, root));
    try {
      const goal = await store.create("stays at revision 1");
      const { released } = await holdWriteLock(file, 1500);
      const error = await store.note(goal.id, "refused").catch((e: unknown) => e);
      await released;
      expect(error).toMatchObject({ code: "PALACE", outcome: "notCommitted", cause: { code: "SQLITE_BUSY" } });
      expect(store.get(goal.id)?.revision).toBe(1);
    } finally {
      await store.dispose();
      palace.close();
    }
  });
});
