import Database from "better-sqlite3";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { GOAL_TAG, GoalStore, type PalaceEvent } from "../../src/index.js";
import { SqliteGoalMemory } from "../../src/palace/sqlite/index.js";
import { palaceConformance } from "../../src/testing/index.js";
import { settleAfterTest, tempRoot } from "../helpers.js";
import { palaceColumns, writeAs0_1 } from "../support/sqlite-0.1.js";

// One file per palace; reopen opens a second adapter over the same file.
const files = new WeakMap<SqliteGoalMemory, string>();

async function openPalace(file?: string): Promise<SqliteGoalMemory> {
  const path = file ?? join(await tempRoot(), "palace.sqlite");
  const palace = new SqliteGoalMemory(path);
  files.set(palace, path);
  return palace;
}

describe("SqliteGoalMemory passes the palace conformance suite on a real file", () => {
  palaceConformance(it, () => openPalace(), {
    reopen: (palace) => {
      palace.close();
      return openPalace(files.get(palace));
    },
    // Another connection to the same file, as another process would open.
    connect: (palace) => openPalace(files.get(palace)),
    breakPalace: (palace) => palace.close(),
    dispose: (palace) => palace.close(),
  });
});

describe("SqliteGoalMemory", () => {
  it("opens the file in WAL mode with synchronous FULL", async () => {
    const path = join(await tempRoot(), "palace.sqlite");
    const palace = new SqliteGoalMemory(path);
    const probe = new Database(path, { readonly: true });
    try {
      expect(probe.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      probe.close();
      palace.close();
    }
  });

  it("refuses a write not built on the held revision with STALE and keeps nothing", async () => {
    const palace = await openPalace();
    try {
      await palace.rememberGoal('{"v":1}', GOAL_TAG, { goalId: "g-a", revision: 1, base: null });
      await palace.rememberGoal('{"v":2}', GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 });
      await expect(palace.rememberGoal('{"v":"late"}', GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 })).rejects.toMatchObject({
        code: "STALE",
        expected: 1,
        actual: 2,
      });
      await expect(palace.rememberGoal('{"v":"again"}', GOAL_TAG, { goalId: "g-a", revision: 1, base: null })).rejects.toMatchObject({
        code: "STALE",
      });
      expect(await palace.listGoals(GOAL_TAG)).toEqual(['{"v":2}']);
    } finally {
      palace.close();
    }
  });

  it("keys an entry written without a key by the id and revision inside its JSON, kept only when newer", async () => {
    const palace = await openPalace();
    try {
      await palace.rememberGoal('{"id":"g-a","revision":2}', GOAL_TAG);
      await expect(palace.rememberGoal('{"id":"g-a","revision":1}', GOAL_TAG)).rejects.toMatchObject({ code: "STALE" });
      expect(await palace.listGoals(GOAL_TAG)).toEqual(['{"id":"g-a","revision":2}']);
      await expect(palace.rememberGoal("{}", GOAL_TAG)).rejects.toThrow(/no goal id/);
      await expect(palace.rememberGoal("not json", GOAL_TAG)).rejects.toThrow();
    } finally {
      palace.close();
    }
  });

  it("opens a goal-store 0.1 file (no commit sequence) and adds the column, entries intact", async () => {
    const path = join(await tempRoot(), "palace.sqlite");
    const old = new Database(path);
    old.exec("CREATE TABLE goal_entries (tag TEXT NOT NULL, goal_id TEXT NOT NULL, revision INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (tag, goal_id))");
    old.prepare("INSERT INTO goal_entries VALUES (?, ?, ?, ?)").run(GOAL_TAG, "g-a", 3, '{"v":3}');
    old.close();
    const palace = new SqliteGoalMemory(path);
    try {
      expect(await palace.listGoals(GOAL_TAG)).toEqual(['{"v":3}']);
      await palace.rememberGoal('{"v":4}', GOAL_TAG, { goalId: "g-a", revision: 4, base: 3 });
      expect(await palace.readGoal(GOAL_TAG, "g-a")).toBe('{"v":4}');
    } finally {
      palace.close();
    }
  });

  it("accepts an open Database and leaves closing it to its owner", async () => {
    const db = new Database(":memory:");
    const palace = new SqliteGoalMemory(db);
    await palace.rememberGoal('{"id":"g-a"}', GOAL_TAG);
    palace.close();
    expect(db.open).toBe(true);
    expect(await palace.listGoals(GOAL_TAG)).toEqual(['{"id":"g-a"}']);
    db.close();
  });

  it("a second process-like reader sees commits of the first connection", async () => {
    const path = join(await tempRoot(), "palace.sqlite");
    const writer = new SqliteGoalMemory(path);
    const reader = new SqliteGoalMemory(path);
    try {
      const store = settleAfterTest(await GoalStore.load(writer, await tempRoot()));
      const goal = await store.create("shared");
      expect((await reader.listGoals(GOAL_TAG)).map((json) => (JSON.parse(json) as { id: string }).id)).toEqual([
        goal.id,
      ]);
      await store.flush();
    } finally {
      writer.close();
      reader.close();
    }
  });
});

describe("SqliteGoalMemory with readOnly", () => {
  const entry = (id: string, revision: number) => JSON.stringify({ id, revision });

  it("regression: reads a goal-store 0.1 file as it is, and its feed reports another connection's commits as gaps (was: ALTER TABLE on a read-only connection)", async () => {
    const path = join(await tempRoot(), "palace.sqlite");
    writeAs0_1(path, [entry("g-a", 3)]);
    const reader = new SqliteGoalMemory(path, { readOnly: true, feedIntervalMs: 5 });
    const events: PalaceEvent[] = [];
    const watch = reader.watchGoals(GOAL_TAG, (event) => events.push(event));
    try {
      expect(await reader.listGoals(GOAL_TAG)).toEqual([entry("g-a", 3)]);
      expect(await reader.readGoal(GOAL_TAG, "g-a")).toBe(entry("g-a", 3));
      writeAs0_1(path, [entry("g-a", 4)]);
      await vi.waitFor(() => expect(events).toContainEqual({ kind: "gap" }), { timeout: 5000 });
      expect(await reader.listGoals(GOAL_TAG)).toEqual([entry("g-a", 4)]);
    } finally {
      await watch.close();
      reader.close();
    }
    expect(palaceColumns(path)).toEqual(["tag", "goal_id", "revision", "json"]);
  }, 20_000);

  it("writes nothing: rememberGoal and rememberGoals reject and the file stays as it was", async () => {
    const path = join(await tempRoot(), "palace.sqlite");
    const writer = new SqliteGoalMemory(path);
    await writer.rememberGoal(entry("g-a", 1), GOAL_TAG, { goalId: "g-a", revision: 1, base: null });
    writer.close();
    const reader = new SqliteGoalMemory(path, { readOnly: true });
    try {
      await expect(reader.rememberGoal(entry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 })).rejects.toThrow(/read-only/);
      await expect(reader.rememberGoals(GOAL_TAG, [{ json: entry("g-b", 1), key: { goalId: "g-b", revision: 1, base: null } }])).rejects.toThrow(/read-only/);
      expect(await reader.listGoals(GOAL_TAG)).toEqual([entry("g-a", 1)]);
    } finally {
      reader.close();
    }
  });

  it("refuses a missing file and a SQLite database without the palace table, creating nothing", async () => {
    const dir = await tempRoot();
    const missing = join(dir, "missing.sqlite");
    expect(() => new SqliteGoalMemory(missing, { readOnly: true })).toThrow();
    await expect(stat(missing)).rejects.toMatchObject({ code: "ENOENT" });
    const foreign = join(dir, "foreign.sqlite");
    const db = new Database(foreign);
    db.exec("CREATE TABLE other (x INTEGER)");
    db.close();
    expect(() => new SqliteGoalMemory(foreign, { readOnly: true })).toThrow("is a SQLite database but not a goal-store palace (it has no goal_entries table)");
    expect(palaceColumns(foreign)).toEqual([]);
  });
});

describe("SqliteGoalMemory file mode (issue 13)", () => {
  it("creates its database file 0600, whatever the umask lets through", async () => {
    const path = join(await tempRoot(), "palace.sqlite");
    const previous = process.umask(0o022);
    try {
      const palace = new SqliteGoalMemory(path);
      palace.close();
    } finally {
      process.umask(previous);
    }
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});
