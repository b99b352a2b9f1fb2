import { closeSync, constants, openSync } from "node:fs";
import { createRequire } from "node:module";
import { StaleError } from "../../errors.js";
import { writeKey, type FeedWatcher } from "../adapter-support.js";
import type { GoalEntry, GoalKey, GoalMemory, PalaceEvent, PalaceWatch } from "../contract.js";
import { ATTEMPT_BUSY_TIMEOUT_MS, retryWhileBusy } from "./busy-retry.js";

/** The part of a better-sqlite3 statement this adapter uses. */
export interface SqliteStatement {
  /** Executes the statement with bound parameters; `changes` counts the rows it changed. */
  run(...params: unknown[]): { changes: number };
  /** Executes it and returns the first row, or `undefined`. */
  get(...params: unknown[]): unknown;
  /** Executes it and returns every row. */
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
  /** Reads or sets a pragma (WAL, synchronous, busy_timeout, data_version). */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Closes the connection. */
  close(): unknown;
  /** Whether the connection is open. */
  readonly open: boolean;
}

/** Options of {@link SqliteGoalMemory}. */
export interface SqliteGoalMemoryOptions {
  /**
   * How long a call waits for another connection's lock before failing, in ms.
   * The wait does not hold the event loop: SQLite waits a few milliseconds at
   * a time and the call retries on timers until this much time has passed
   * (better-sqlite3 would wait the whole time synchronously). Keep it below the
   * store's `palaceTimeoutMs`, so a write fails before the store stops waiting
   * for it. Applied only to databases this adapter opens from a path: on your
   * own database, its busy timeout applies (waited synchronously).
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * How often the change feed checks for other connections' commits, in ms.
   * A check is one `PRAGMA data_version` (no I/O when nothing changed); only
   * when another connection committed does it read the new rows.
   * @default 200
   */
  feedIntervalMs?: number;
  /**
   * Never write, for a reader beside the process that writes (the goal-store
   * CLI): a path is opened read-only and must exist; no table is created and
   * no older table upgraded, so a file that is not a goal-store palace is
   * refused and a goal-store 0.1 file is read as it is (its change feed reports
   * only `gap`s, as 0.1 rows carry no commit sequence); `rememberGoal` and
   * `rememberGoals` reject without touching the file.
   * @default false
   */
  readOnly?: boolean;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS goal_entries (
    tag      TEXT    NOT NULL,
    goal_id  TEXT    NOT NULL,
    revision INTEGER NOT NULL,
    json     TEXT    NOT NULL,
    seq      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tag, goal_id)
  );
  CREATE INDEX IF NOT EXISTS goal_entries_seq ON goal_entries (seq)`;

// Every write takes the next commit sequence number, which the feed follows.
// SQLite serialises writers, so numbers are unique and grow in commit order.
const NEXT_SEQ = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM goal_entries)";

// Compare-and-set: each statement changes a row only when the goal is at the
// revision the write built on; `changes === 0` means another writer got there first.
const CREATE = `
  INSERT INTO goal_entries (tag, goal_id, revision, json, seq) VALUES (?, ?, ?, ?, ${NEXT_SEQ})
  ON CONFLICT (tag, goal_id) DO NOTHING`;
const UPDATE = `
  UPDATE goal_entries SET revision = ?, json = ?, seq = ${NEXT_SEQ}
  WHERE tag = ? AND goal_id = ? AND revision = ?`;
// For entries written by hand without a base: kept only when newer than what is held.
const UPSERT_NEWER = `
  INSERT INTO goal_entries (tag, goal_id, revision, json, seq) VALUES (?, ?, ?, ?, ${NEXT_SEQ})
  ON CONFLICT (tag, goal_id) DO UPDATE SET revision = excluded.revision, json = excluded.json, seq = excluded.seq
  WHERE excluded.revision > goal_entries.revision`;

const LIST = "SELECT json FROM goal_entries WHERE tag = ? ORDER BY goal_id";
const READ = "SELECT revision, json FROM goal_entries WHERE tag = ? AND goal_id = ?";
const SINCE = "SELECT goal_id, revision, json, seq FROM goal_entries WHERE tag = ? AND seq > ? ORDER BY seq";
const LAST_SEQ = "SELECT COALESCE(MAX(seq), 0) AS seq FROM goal_entries";

interface SqliteWatcher extends FeedWatcher {
  /** The commit sequence of the last row delivered. */
  seq: number;
}

interface Writes {
  create: SqliteStatement;
  update: SqliteStatement;
  upsertNewer: SqliteStatement;
}

interface FeedReads {
  since: SqliteStatement;
  lastSeq: SqliteStatement;
}

/**
 * A durable palace in one SQLite file (via better-sqlite3, an optional peer
 * dependency): one row per (tag, goal id) holding the newest revision. Opened
 * from a path it uses WAL journaling with `synchronous = FULL`, so an entry is
 * on disk when `rememberGoal` resolves, and a busy timeout so a second process
 * (a CLI, opening it with `readOnly`) can read while the orchestrator writes.
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
  readonly #feedIntervalMs: number;
  // How long a call retries while another connection holds the lock; 0 for a
  // database of the caller's, whose own busy timeout decides.
  readonly #busyWaitMs: number;
  readonly #list: SqliteStatement;
  readonly #read: SqliteStatement;
  /** Undefined when read-only. */
  readonly #writes: Writes | undefined;
  /** Undefined for a goal-store 0.1 table read as it is (no commit sequence): the feed then reports gaps. */
  readonly #feedReads: FeedReads | undefined;
  readonly #watchers = new Set<SqliteWatcher>();
  #timer: NodeJS.Timeout | undefined;
  #dataVersion: unknown;

  /**
   * @param database a file path (created if missing, unless `readOnly`; its
   *   folder must exist), or an open better-sqlite3 `Database` whose pragmas and
   *   lifetime stay yours.
   * @throws {Error} when better-sqlite3 is not installed or the file cannot be
   *   opened; with `readOnly`, also when it is missing or has no goal-store table.
   */
  constructor(database: string | SqliteDatabase, options: SqliteGoalMemoryOptions = {}) {
    const readOnly = options.readOnly ?? false;
    this.#ownsDatabase = typeof database === "string";
    const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000));
    this.#db = typeof database === "string" ? openFile(database, readOnly, busyTimeoutMs) : database;
    this.#busyWaitMs = this.#ownsDatabase ? busyTimeoutMs : 0;
    this.#feedIntervalMs = Math.max(1, Math.trunc(options.feedIntervalMs ?? 200));
    try {
      const columns = tableColumns(this.#db);
      if (!readOnly) migrate(this.#db, columns);
      else if (columns.length === 0) {
        const what = typeof database === "string" ? "the file" : "the database";
        throw new Error(`${what} is a SQLite database but not a goal-store palace (it has no goal_entries table)`);
      }
      const prepare = (sql: string) => this.#db.prepare(sql);
      this.#list = prepare(LIST);
      this.#read = prepare(READ);
      this.#writes = readOnly ? undefined : { create: prepare(CREATE), update: prepare(UPDATE), upsertNewer: prepare(UPSERT_NEWER) };
      const sequenced = !readOnly || columns.includes("seq");
      this.#feedReads = sequenced ? { since: prepare(SINCE), lastSeq: prepare(LAST_SEQ) } : undefined;
    } catch (error) {
      if (this.#ownsDatabase) this.#db.close();
      throw error;
    }
    // Opening waited the full busy timeout (a constructor cannot wait
    // asynchronously); from now on each attempt waits only briefly, see #busyWaitMs.
    if (this.#ownsDatabase) this.#db.pragma(`busy_timeout = ${Math.min(ATTEMPT_BUSY_TIMEOUT_MS, this.#busyWaitMs)}`);
  }

  /** @inheritDoc */
  async rememberGoal(json: string, tag: string, key?: GoalKey): Promise<void> {
    const found = writeKey(json, key);
    const writes = this.#writable();
    if (!(await this.#whileBusy(() => this.#keep(writes, tag, json, found)))) {
      const held = (await this.#whileBusy(() => this.#read.get(tag, found.goalId))) as { revision: number } | undefined;
      throw new StaleError(found.goalId, found.base === undefined ? found.revision - 1 : found.base, held?.revision ?? null);
    }
    this.#announce(tag, [{ json, key: found }]);
  }

  /**
   * Group commit: every entry in one transaction (one fsync), each
   * compare-and-set on its own; an entry after a refused one of the same goal
   * is refused without being tried.
   */
  async rememberGoals(tag: string, entries: readonly GoalEntry[]): Promise<("kept" | "stale")[]> {
    const writes = this.#writable();
    const outcomes = await this.#whileBusy(() => this.#keepAll(writes, tag, entries));
    this.#announce(
      tag,
      entries.filter((_, i) => outcomes[i] === "kept"),
    );
    return outcomes;
  }

  // The batch in one transaction; when it fails (busy included), nothing of it is kept.
  #keepAll(writes: Writes, tag: string, entries: readonly GoalEntry[]): ("kept" | "stale")[] {
    const refused = new Set<string>();
    const outcomes: ("kept" | "stale")[] = [];
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const { json, key } of entries) {
        const kept = !refused.has(key.goalId) && this.#keep(writes, tag, json, key);
        if (!kept) refused.add(key.goalId);
        outcomes.push(kept ? "kept" : "stale");
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      if (this.#db.open) this.#db.exec("ROLLBACK");
      throw error;
    }
    return outcomes;
  }

  // One attempt, retried on timers while another connection holds the lock.
  #whileBusy<T>(attempt: () => T): Promise<T> {
    return retryWhileBusy(attempt, this.#busyWaitMs);
  }

  #writable(): Writes {
    if (this.#writes === undefined) throw new Error("SqliteGoalMemory was opened read-only: it keeps no entries");
    return this.#writes;
  }

  // One compare-and-set statement; false when it changed nothing (stale).
  #keep(writes: Writes, tag: string, json: string, { goalId, revision, base }: GoalKey): boolean {
    const { changes } =
      base === undefined
        ? writes.upsertNewer.run(tag, goalId, revision, json)
        : base === null
          ? writes.create.run(tag, goalId, revision, json)
          : writes.update.run(revision, json, tag, goalId, base);
    return changes > 0;
  }

  // This connection's own commits do not move its data_version, so the
  // watchers on this instance hear of them here; other connections' through polling.
  #announce(tag: string, kept: readonly GoalEntry[]): void {
    for (const watcher of this.#watchers) {
      if (watcher.tag !== tag) continue;
      for (const { json, key } of kept) {
        const event: PalaceEvent = { kind: "entry", goalId: key.goalId, revision: key.revision, json };
        queueMicrotask(() => this.#watchers.has(watcher) && watcher.onEvent(event));
      }
    }
  }

  /** @inheritDoc */
  async listGoals(tag: string): Promise<string[]> {
    const rows = await this.#whileBusy(() => this.#list.all(tag));
    return rows.map((row) => (row as { json: string }).json);
  }

  /** @inheritDoc */
  async readGoal(tag: string, goalId: string): Promise<string | undefined> {
    return ((await this.#whileBusy(() => this.#read.get(tag, goalId))) as { json: string } | undefined)?.json;
  }

  /**
   * A change feed: other connections' commits (other processes on the same
   * file) are found by polling every `feedIntervalMs`; this instance's own
   * commits are reported as they happen. On a goal-store 0.1 file opened
   * read-only, every poll that finds another connection's commit reports a `gap`.
   */
  watchGoals(tag: string, onEvent: (event: PalaceEvent) => void): PalaceWatch {
    const seq = this.#feedReads === undefined ? 0 : (this.#feedReads.lastSeq.get() as { seq: number }).seq;
    const watcher: SqliteWatcher = { tag, onEvent, seq };
    this.#watchers.add(watcher);
    if (this.#timer === undefined) {
      this.#dataVersion = this.#db.pragma("data_version", { simple: true });
      this.#timer = setInterval(() => this.#poll(), this.#feedIntervalMs);
      // The feed must not keep a process alive that has nothing else to do.
      this.#timer.unref();
    }
    return {
      close: () => {
        this.#watchers.delete(watcher);
        if (this.#watchers.size === 0) this.#stopPolling();
      },
    };
  }

  /** Stops the feed and closes the database if this adapter opened it; later calls reject. */
  close(): void {
    this.#watchers.clear();
    this.#stopPolling();
    if (this.#ownsDatabase && this.#db.open) this.#db.close();
  }

  #poll(): void {
    if (!this.#db.open) return this.#stopPolling();
    let rows: { goal_id: string; revision: number; json: string; seq: number }[];
    try {
      const version = this.#db.pragma("data_version", { simple: true });
      if (version === this.#dataVersion) return;
      this.#dataVersion = version;
      for (const watcher of this.#watchers) {
        if (this.#feedReads === undefined) {
          watcher.onEvent({ kind: "gap" });
          continue;
        }
        rows = this.#feedReads.since.all(watcher.tag, watcher.seq) as typeof rows;
        for (const row of rows) {
          watcher.seq = row.seq;
          watcher.onEvent({ kind: "entry", goalId: row.goal_id, revision: row.revision, json: row.json });
        }
      }
    } catch {
      // Busy or closed: nothing was consumed (each watcher's seq only moves past
      // rows it delivered), so the next poll picks up where this one stopped.
      this.#dataVersion = undefined;
    }
  }

  #stopPolling(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

type DatabaseConstructor = new (path: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => SqliteDatabase;

// The one place this adapter opens a file: a writer creates it privately and
// makes every commit durable; a reader opens it as it is and writes nothing
// (journal_mode and synchronous are settings of writers).
function openFile(path: string, readOnly: boolean, busyTimeoutMs: number): SqliteDatabase {
  const Database = loadDriver();
  let db: SqliteDatabase;
  if (readOnly) db = new Database(path, { readonly: true, fileMustExist: true });
  else {
    createPrivately(path);
    db = new Database(path);
    db.pragma("journal_mode = WAL");
    // FULL: a commit is durable once rememberGoal resolves, even across power loss.
    db.pragma("synchronous = FULL");
  }
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  return db;
}

function tableColumns(db: SqliteDatabase): string[] {
  return (db.prepare("SELECT name FROM pragma_table_info('goal_entries')").all() as { name: string }[]).map((column) => column.name);
}

// Creates the table, or adds the commit sequence to a table written by
// goal-store 0.1 (rows keep seq 0: the feed reports only later commits).
function migrate(db: SqliteDatabase, columns: readonly string[]): void {
  if (columns.length === 0) db.exec(SCHEMA);
  else if (!columns.includes("seq")) {
    db.exec("ALTER TABLE goal_entries ADD COLUMN seq INTEGER NOT NULL DEFAULT 0");
    db.exec(SCHEMA);
  }
}

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
