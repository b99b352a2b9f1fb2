import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";
import { dropSchema } from "../test/support/pg-drop.js";
import { GOAL_TAG, type GoalMemory } from "../src/index.js";
import { PostgresGoalMemory } from "../src/palace/postgres/index.js";
import { SqliteGoalMemory } from "../src/palace/sqlite/index.js";
import { InMemoryGoalMemory } from "../src/testing/index.js";
import type { WireGoal } from "../src/wire/codec.js";

/**
 * The palaces a case can run over. `memory` yields to the event loop on every
 * call, as real I/O does. `postgres` is a PostgresGoalMemory on the server
 * named by GOAL_STORE_BENCH_PG_URL (bench/main.ts sets it, starting a
 * throwaway server when none is given), in a schema of its own per process.
 */
export type PalaceKind = "memory" | "sqlite" | "postgres";

/** Where a `postgres` palace keeps its rows, for subjects that connect themselves (the raw loop, a second store). */
export interface PgTarget {
  url: string;
  schema: string;
}

/** A preloaded palace, and the SQLite file or PostgreSQL schema behind it when there is one. */
export interface BenchPalace {
  palace: GoalMemory;
  sqliteFile: string | undefined;
  postgres: PgTarget | undefined;
  /** Closes the palace (and drops a PostgreSQL schema it made). */
  close(): Promise<void>;
}

/** The server a `postgres` palace uses: GOAL_STORE_BENCH_PG_URL, else GOAL_STORE_PG_URL. */
export function benchPgUrl(): string | undefined {
  for (const name of ["GOAL_STORE_BENCH_PG_URL", "GOAL_STORE_PG_URL"]) {
    const value = process.env[name];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
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
    return { palace, sqliteFile: undefined, postgres: undefined, close: async () => {} };
  }
  if (kind === "postgres") return preloadedPostgres(preload);
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
  return { palace, sqliteFile, postgres: undefined, close: async () => palace.close() };
}

/**
 * A fresh schema on the bench server: the adapter creates its table (exactly
 * as the library does), the preload goes in through a separate connection in
 * one transaction, and the palace under test is a new adapter with a cold pool.
 * `close` ends the adapter and drops the schema.
 */
async function preloadedPostgres(preload: readonly WireGoal[]): Promise<BenchPalace> {
  const url = benchPgUrl();
  if (url === undefined) throw new Error("the postgres palace needs GOAL_STORE_BENCH_PG_URL (bench/main.ts sets it)");
  const schema = `gs_bench_${randomBytes(6).toString("hex")}`;
  const pg = (await import("pg")).default;
  const drop = () => dropSchema(url, schema);
  try {
    const creator = new PostgresGoalMemory(url, { schema });
    await creator.listGoals(GOAL_TAG);
    await creator.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("BEGIN");
      for (let i = 0; i < preload.length; i += 1000) {
        const slice = preload.slice(i, i + 1000);
        await client.query(
          `INSERT INTO "${schema}".goal_entries (tag, goal_id, revision, json)
           SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[])`,
          [GOAL_TAG, slice.map((wire) => wire.id), slice.map((wire) => wire.revision), slice.map((wire) => JSON.stringify(wire))],
        );
      }
      await client.query("COMMIT");
      await client.query(`ANALYZE "${schema}".goal_entries`);
    } finally {
      await client.end();
    }
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  const palace = new PostgresGoalMemory(url, { schema });
  return {
    palace,
    sqliteFile: undefined,
    postgres: { url, schema },
    close: async () => {
      await palace.close();
      await drop();
    },
  };
}
