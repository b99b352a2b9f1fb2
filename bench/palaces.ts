import { createRequire } from "node:module";
import { join } from "node:path";
import { GOAL_TAG, type GoalMemory } from "../src/index.js";
import { SqliteGoalMemory } from "../src/palace/sqlite/index.js";
import { InMemoryGoalMemory } from "../src/testing/index.js";
import type { WireGoal } from "../src/wire/codec.js";

/**
 * The palaces a case can run over. `memory` yields to the event loop on every
 * call, as real I/O does. `postgres` is the hook for the PostgreSQL row: build
 * a PostgresGoalMemory here once src/palace/postgres exists.
 */
export type PalaceKind = "memory" | "sqlite" | "postgres";

/** A preloaded palace, and the SQLite file behind it when there is one. */
export interface BenchPalace {
  palace: GoalMemory;
  sqliteFile: string | undefined;
  close(): void;
}

/**
 * Builds a palace holding `preload`. SQLite is the durable default (WAL,
 * `synchronous = FULL`, set by SqliteGoalMemory); the preload goes in as one
 * transaction through a second connection, so the palace under test starts cold
 * of statements but with the rows on disk.
 */
export async function preloadedPalace(kind: PalaceKind, root: string, preload: readonly WireGoal[]): Promise<BenchPalace> {
  if (kind === "memory") {
    const palace = new InMemoryGoalMemory();
    for (const wire of preload) {
      await palace.rememberGoal(JSON.stringify(wire), GOAL_TAG, { goalId: wire.id, revision: wire.revision, base: null });
    }
    palace.latency = "yield";
    return { palace, sqliteFile: undefined, close: () => {} };
  }
  if (kind === "postgres") throw new Error("the postgres palace is not wired into the benchmark yet (see the postgres-32 case)");
  const sqliteFile = join(root, "palace.sqlite");
  // Creates the file, the schema and the pragmas exactly as the library does.
  new SqliteGoalMemory(sqliteFile).close();
  const Database = createRequire(import.meta.url)("better-sqlite3") as typeof import("better-sqlite3");
  const db = new Database(sqliteFile);
  const insert = db.prepare("INSERT INTO goal_entries (tag, goal_id, revision, json, seq) VALUES (?, ?, ?, ?, ?)");
  db.transaction(() => {
    preload.forEach((wire, i) => insert.run(GOAL_TAG, wire.id, wire.revision, JSON.stringify(wire), i + 1));
  })();
  db.close();
  const palace = new SqliteGoalMemory(sqliteFile);
  return { palace, sqliteFile, close: () => palace.close() };
}
