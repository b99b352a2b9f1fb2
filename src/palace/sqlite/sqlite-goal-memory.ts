import { closeSync, constants, openSync } from "node:fs";
import { createRequire } from "node:module";
import { keyInEntry, type GoalKey, type GoalMemory } from "../contract.js";

/** The part of a better-sqlite3 statement this adapter uses. */
export interface SqliteStatement {
  /** Executes the statement with bound parameters (the upsert). */
  run(...params: unknown[]): unknown;
  /** Executes it and returns every row (the listing). */
  all(...params: unknown[]): unknown[];
}

/**
 * The part of a better-sqlite3 `Database` this adapter uses, so passing your own
 * open database type-checks without `@types/better-sqlite3`.
 */
export interface SqliteDatabase {
  /** Compiles a statement. */
  prepare(sql: string): SqliteStatement;
  /** Runs SQL without results (the schema). */
  exec(sql: string): unknown;
  /** Sets a pragma (WAL, synchronous, busy_timeout) on databases the adapter opens. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Closes the connection. */
  close(): unknown;
  /** Whether the connection is open. */
  readonly open: boolean;
}

/** Options of {@link SqliteGoalMemory}. */
export interface SqliteGoalMemoryOptions {
  /**
   * How long a write waits for another connection's lock before failing, in ms.
   * Applied only to databases this adapter opens from a path.
   * @default 5000
   */
  busyTimeoutMs?: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS goal_entries (
    tag      TEXT    NOT NULL,
    goal_id  TEXT    NOT NULL,
    revision INTEGER NOT NULL,
    json     TEXT    NOT NULL,
    PRIMARY KEY (tag, goal_id)
  )`;

// The WHERE on the upsert is what keeps a late, older write from replacing a
// newer revision: the row only changes when the incoming revision is not lower.
const UPSERT = `
  INSERT INTO goal_entries (tag, goal_id, revision, json) VALUES (?, ?, ?, ?)
  ON CONFLICT (tag, goal_id) DO UPDATE SET revision = excluded.revision, json = excluded.json
  WHERE excluded.revision >= goal_entries.revision`;

const LIST = "SELECT json FROM goal_entries WHERE tag = ? ORDER BY goal_id";

/**
 * A durable palace in one SQLite file (via better-sqlite3, an optional peer
 * dependency): one row per (tag, goal id) holding the newest revision. Opened
 * from a path it uses WAL journaling with `synchronous = FULL`, so an entry is
 * on disk when `rememberGoal` resolves, and a busy timeout so a second process
 * (a CLI) can read while the orchestrator writes.
 *
 * @example
 * ```ts
 * import { GoalStore } from "goal-store";
 * import { SqliteGoalMemory } from "goal-store/sqlite";
 *
 * const palace = new SqliteGoalMemory("./data/palace.sqlite");
 * const store = await GoalStore.load(palace, "./data");
 * // …
 * await store.flush();
 * palace.close();
 * ```
 */
export class SqliteGoalMemory implements GoalMemory {
  readonly #db: SqliteDatabase;
  readonly #ownsDatabase: boolean;
  readonly #upsert: SqliteStatement;
  readonly #list: SqliteStatement;

  /**
   * @param database a file path (created if missing; its folder must exist), or
   *   an open better-sqlite3 `Database` whose pragmas and lifetime stay yours.
   * @throws {Error} when better-sqlite3 is not installed or the file cannot be opened.
   */
  constructor(database: string | SqliteDatabase, options: SqliteGoalMemoryOptions = {}) {
    if (typeof database === "string") {
      const Database = loadDriver();
      createPrivately(database);
      this.#db = new Database(database);
      this.#ownsDatabase = true;
      this.#db.pragma("journal_mode = WAL");
      // FULL: a commit is durable once rememberGoal resolves, even across power loss.
      this.#db.pragma("synchronous = FULL");
      this.#db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    } else {
      this.#db = database;
      this.#ownsDatabase = false;
    }
    this.#db.exec(SCHEMA);
    this.#upsert = this.#db.prepare(UPSERT);
    this.#list = this.#db.prepare(LIST);
  }

  /** @inheritDoc */
  async rememberGoal(json: string, tag: string, key?: GoalKey): Promise<void> {
    const { goalId, revision } = key ?? keyInEntry(json) ?? missingKey();
    this.#upsert.run(tag, goalId, revision, json);
  }

  /** @inheritDoc */
  async listGoals(tag: string): Promise<string[]> {
    return this.#list.all(tag).map((row) => (row as { json: string }).json);
  }

  /** Closes the database if this adapter opened it; later calls reject. */
  close(): void {
    if (this.#ownsDatabase && this.#db.open) this.#db.close();
  }
}

type DatabaseConstructor = new (path: string) => SqliteDatabase;

function loadDriver(): DatabaseConstructor {
  try {
    return createRequire(import.meta.url)("better-sqlite3") as DatabaseConstructor;
  } catch (cause) {
    throw new Error("goal-store/sqlite needs better-sqlite3: run `npm install better-sqlite3`", { cause });
  }
}

// SQLite creates a missing database file 0644 (less the umask), readable by
// every user, and its -wal and -shm files with the database's mode; goals and
// evidence may be sensitive, so a new database starts as an empty 0600 file.
// An existing file, or a special name (":memory:", ""), is left alone.
function createPrivately(path: string): void {
  if (path === "" || path === ":memory:" || path.startsWith("file:")) return;
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch {
    // It exists (or cannot be created here): better-sqlite3 reports the latter.
    return;
  }
  closeSync(fd);
}

function missingKey(): never {
  throw new TypeError("entry has no goal id and no key was given");
}
