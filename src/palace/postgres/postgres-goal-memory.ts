import { StaleError } from "../../errors.js";
import { writeKey } from "../adapter-support.js";
import type { GoalEntry, GoalKey, GoalMemory, PalaceEvent, PalaceWatch } from "../contract.js";
import { NotifyFeed, notifyPayload } from "./feed.js";
import { guardPool, openPool, withConnection, type OwnedPgPool, type PgPool, type PgPoolClient, type PgQueryResult } from "./pg-client.js";
import { checkTable, ensureTable, tableNames, type TableNames } from "./schema.js";
import { backendOf, settleBackend, type Backend } from "./settle.js";
import { inline, statements, type Statements } from "./statements.js";

/** Options of {@link PostgresGoalMemory}. */
export interface PostgresGoalMemoryOptions {
  /**
   * The schema of the table; created when missing.
   * @default "public"
   */
  schema?: string;
  /**
   * The table holding one row per goal; created when missing (docs/palaces.md has the DDL).
   * @default "goal_entries"
   */
  table?: string;
  /**
   * Server-side limit of one statement (`statement_timeout`), in ms; applied
   * to connections this adapter opens. Keep `connectionTimeoutMs +
   * statementTimeoutMs` below the store's `palaceTimeoutMs`, so the server
   * gives up on a write before the store stops waiting for it.
   * @default 10000
   */
  statementTimeoutMs?: number;
  /**
   * How long opening a connection may take, in ms (connections this adapter opens).
   * @default 5000
   */
  connectionTimeoutMs?: number;
  /**
   * Connections of the pool this adapter opens; the feed holds one of them while it runs.
   * @default 10
   */
  maxConnections?: number;
  /**
   * How often the feed checks its connection with `SELECT 1`, in ms; a check
   * unanswered for as long counts as a dead connection and triggers a reconnect.
   * @default 10000
   */
  heartbeatMs?: number;
  /**
   * First and longest pause between feed reconnects, in ms (doubling, with jitter).
   * @default { min: 100, max: 5000 }
   */
  reconnectDelayMs?: { min: number; max: number };
  /**
   * Never write, for a reader beside the processes that write (the goal-store
   * CLI). No schema or table is created: a database without the table, or
   * whose table lacks the columns goal-store reads, is refused with an error
   * that says so. Every read runs in a transaction opened `READ ONLY`, so the
   * server refuses a write whatever the connection string sets (its
   * `?options=-c default_transaction_read_only=off` only changes a default).
   * `rememberGoal` and `rememberGoals` reject without sending anything.
   * @default false
   */
  readOnly?: boolean;
  /**
   * The `application_name` of the connections this adapter opens, as
   * `pg_stat_activity` shows them; one in the connection string wins. A label
   * only: the adapter knows its connections by their server process.
   * @default "goal-store"
   */
  applicationName?: string;
}

const positive = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`Expected option ${name} to be a positive integer, got ${String(value)}`);
  return value;
};

function isPool(value: unknown): value is PgPool {
  const candidate = value as Partial<PgPool> | null;
  return typeof candidate === "object" && candidate !== null && typeof candidate.connect === "function" && typeof candidate.query === "function";
}

/**
 * A palace in one PostgreSQL table (via `pg`, an optional peer dependency),
 * for several orchestrators on several machines: compare-and-set writes with
 * conditional `INSERT`/`UPDATE`, one row per goal holding its newest revision,
 * and a change feed over `LISTEN`/`NOTIFY`.
 *
 * @example
 * ```ts
 * import { GoalStore } from "goal-store";
 * import { PostgresGoalMemory } from "goal-store/postgres";
 *
 * const palace = new PostgresGoalMemory(process.env.DATABASE_URL!);
 * const store = await GoalStore.load(palace, "./data", { palaceTimeoutMs: 20_000 });
 * // …
 * await store.dispose();
 * await palace.close();
 * ```
 */
export class PostgresGoalMemory implements GoalMemory {
  readonly #pool: PgPool;
  readonly #owned: OwnedPgPool | undefined;
  readonly #unguard: () => void;
  readonly #names: TableNames;
  readonly #sql: Statements;
  readonly #feed: NotifyFeed;
  readonly #readOnly: boolean;
  readonly #settleMs: number;
  /** The server process behind each connection a write used; null when it cannot be known (a pooler). */
  readonly #backends = new WeakMap<PgPoolClient, Backend | null>();
  #ready: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  /**
   * @param connection a connection string (`postgres://user@host:5432/db`), for
   *   which this adapter opens and later ends its own pool; or a pg `Pool` (or
   *   anything with its `connect` and `query`), which stays yours: `close()`
   *   leaves it open, its timeouts are yours to set, and the feed holds one of
   *   its connections while it runs. The adapter listens to its `error` and
   *   `connect` events until `close()`, so that a connection the server ends
   *   cannot crash the process.
   * @throws {Error} when pg is not installed (connection strings only).
   * @throws {TypeError} when an option is malformed.
   */
  constructor(connection: string | PgPool, options: PostgresGoalMemoryOptions = {}) {
    this.#names = tableNames(options.schema ?? "public", options.table ?? "goal_entries");
    this.#sql = statements(this.#names);
    this.#readOnly = options.readOnly ?? false;
    const statementTimeoutMs = positive("statementTimeoutMs", options.statementTimeoutMs, 10_000);
    const connectionTimeoutMs = positive("connectionTimeoutMs", options.connectionTimeoutMs, 5_000);
    const reconnect = options.reconnectDelayMs ?? { min: 100, max: 5_000 };
    const timing = {
      heartbeatMs: positive("heartbeatMs", options.heartbeatMs, 10_000),
      reconnectMinMs: positive("reconnectDelayMs.min", reconnect.min, 100),
      reconnectMaxMs: positive("reconnectDelayMs.max", reconnect.max, 5_000),
    };
    const applicationName = options.applicationName ?? "goal-store";
    if (typeof applicationName !== "string") throw new TypeError(`Expected option applicationName to be a string, got ${typeof applicationName}`);
    this.#settleMs = statementTimeoutMs + connectionTimeoutMs;
    if (typeof connection === "string") {
      this.#owned = openPool({
        connectionString: connection,
        max: positive("maxConnections", options.maxConnections, 10),
        connectionTimeoutMillis: connectionTimeoutMs,
        statement_timeout: statementTimeoutMs,
        // Client side too: a server that stopped answering (a cut without a
        // reset) must not leave a query pending for the kernel's TCP timeout.
        query_timeout: statementTimeoutMs + connectionTimeoutMs,
        application_name: applicationName,
        keepAlive: true,
      });
      this.#pool = this.#owned;
    } else if (isPool(connection)) {
      this.#pool = connection;
      this.#owned = undefined;
    } else {
      throw new TypeError(`Expected a connection string or a pg Pool, got ${connection === null ? "null" : typeof connection}`);
    }
    this.#unguard = guardPool(this.#pool);
    this.#feed = new NotifyFeed(() => this.#pool.connect(), this.#names.channel, timing);
  }

  /** @inheritDoc */
  async rememberGoal(json: string, tag: string, key?: GoalKey): Promise<void> {
    const { goalId, revision, base } = writeKey(json, key);
    this.#refuseIfReadOnly();
    await this.#ensureReady();
    const payload = notifyPayload(tag, goalId, revision);
    const { rowCount } =
      base === undefined
        ? await this.#write(this.#sql.upsertNewer, [tag, goalId, revision, json, this.#names.channel, payload])
        : base === null
          ? await this.#write(this.#sql.create, [tag, goalId, revision, json, this.#names.channel, payload])
          : await this.#write(this.#sql.update, [revision, json, tag, goalId, base, this.#names.channel, payload]);
    if (rowCount === 0) {
      const held = (await this.#pool.query(this.#sql.read, [tag, goalId])).rows[0] as { revision: string } | undefined;
      throw new StaleError(goalId, base === undefined ? revision - 1 : base, held === undefined ? null : Number(held.revision));
    }
  }

  /**
   * Group commit: every entry in one transaction and one round trip (a
   * multi-statement query), each compare-and-set on its own. An entry chained
   * on an earlier one of the same goal in the batch also requires the row to
   * hold that earlier entry, so it is refused when the earlier one was.
   */
  async rememberGoals(tag: string, entries: readonly GoalEntry[]): Promise<("kept" | "stale")[]> {
    if (entries.length === 0) return [];
    this.#refuseIfReadOnly();
    await this.#ensureReady();
    const before = new Map<string, string>();
    const writes = entries.map(({ json, key }) => {
      const { goalId, revision, base } = key;
      const chainedOn = before.get(goalId);
      before.set(goalId, json);
      const payload = notifyPayload(tag, goalId, revision);
      const channel = this.#names.channel;
      if (base === undefined) return inline(this.#sql.upsertNewer, [tag, goalId, revision, json, channel, payload]);
      if (base === null) return inline(this.#sql.create, [tag, goalId, revision, json, channel, payload]);
      if (chainedOn === undefined) return inline(this.#sql.update, [revision, json, tag, goalId, base, channel, payload]);
      return inline(this.#sql.updateChained, [revision, json, tag, goalId, base, channel, payload, chainedOn]);
    });
    const results: unknown = await this.#write(["BEGIN", ...writes, "COMMIT"].join(";\n"), undefined);
    // One result per statement: BEGIN, the writes, COMMIT.
    const list = Array.isArray(results) ? (results as PgQueryResult[]) : [];
    if (list.length !== entries.length + 2) throw new Error(`expected ${entries.length + 2} results from the batch, got ${list.length}`);
    return entries.map((_, i) => ((list[i + 1]?.rowCount ?? 0) > 0 ? "kept" : "stale"));
  }

  /** @inheritDoc */
  async listGoals(tag: string): Promise<string[]> {
    await this.#ensureReady();
    return (await this.#read(this.#sql.list, [tag])).rows.map((row) => (row as { json: string }).json);
  }

  /** @inheritDoc */
  async readGoal(tag: string, goalId: string): Promise<string | undefined> {
    await this.#ensureReady();
    return ((await this.#read(this.#sql.read, [tag, goalId])).rows[0] as { json: string } | undefined)?.json;
  }

  /**
   * A change feed over `LISTEN`/`NOTIFY` on a dedicated connection. Events
   * carry the key only (`{ kind: "entry", goalId, revision }`): the store reads
   * the entry. After the connection is (re)established a `gap` is reported, as
   * notifications sent meanwhile are lost. Does not work through PgBouncer in
   * transaction mode (LISTEN needs a session).
   */
  watchGoals(tag: string, onEvent: (event: PalaceEvent) => void): PalaceWatch {
    if (this.#closed !== undefined) throw new Error("PostgresGoalMemory is closed");
    return this.#feed.watch(tag, onEvent);
  }

  /** Resolves once the change feed listens (at once when no feed runs): commits after that are reported as entries. */
  feedReady(): Promise<void> {
    return this.#feed.ready();
  }

  /**
   * Stops the feed and ends the pool if this adapter opened it (a pool passed
   * in stays open, without the adapter's listeners); later calls reject.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#feed.stop();
      await this.#owned?.end();
      this.#unguard();
    })();
    return this.#closed;
  }

  #ensureReady(): Promise<void> {
    if (this.#closed !== undefined) return Promise.reject(new Error("PostgresGoalMemory is closed; open a new one"));
    // Retried on the next call when it failed (the server may come back).
    this.#ready ??= (this.#readOnly ? checkTable((text, values) => this.#read(text, values ?? []), this.#names) : ensureTable(this.#pool, this.#names)).catch(
      (error: unknown) => {
        this.#ready = undefined;
        throw error;
      },
    );
    return this.#ready;
  }

  #refuseIfReadOnly(): void {
    if (this.#readOnly) throw new Error("PostgresGoalMemory was opened read-only: it keeps no entries");
  }

  // One statement that only reads. Read-only, it runs in a transaction opened
  // READ ONLY, which no startup option can loosen (the connection string's
  // `options` only set defaults), sent with BEGIN and COMMIT as one simple
  // query: one round trip, its parameters inlined as literals. A failure
  // destroys the connection (pg's pool.query releases it with the error), so
  // no aborted transaction goes back to the pool.
  async #read(text: string, values: readonly unknown[]): Promise<PgQueryResult> {
    if (!this.#readOnly) return this.#pool.query(text, [...values]);
    const results: unknown = await this.#pool.query(`BEGIN READ ONLY;\n${inline(text, values as (string | number)[])};\nCOMMIT`);
    const result = Array.isArray(results) ? (results[1] as PgQueryResult | undefined) : undefined;
    if (result === undefined) throw new Error("expected 3 results from a read-only statement");
    return result;
  }

  // One write on its own connection, so when the connection fails mid-write
  // the server process that ran it is known and can be settled (see
  // settleBackend). When it cannot be (through a pooler, or the server is out
  // of reach), the error says the write may still land, so the store never
  // reports it as not committed on the strength of a read-back.
  async #write(text: string, values: unknown[] | undefined): Promise<PgQueryResult> {
    let sent = false;
    let backend: Backend | undefined;
    let settled = true;
    try {
      return await withConnection(
        this.#pool,
        async (client) => {
          backend = await this.#backendOf(client);
          sent = true;
          return client.query(text, values);
        },
        async () => {
          // A connection lost before the write was sent took nothing with it.
          if (sent) settled = backend !== undefined && (await settleBackend(this.#pool, backend, this.#settleMs));
        },
      );
    } catch (error) {
      if (!settled && typeof error === "object" && error !== null) Object.assign(error, { mayStillLand: true });
      throw error;
    }
  }

  // Asked once per connection: one round trip the first time a connection writes.
  async #backendOf(client: PgPoolClient): Promise<Backend | undefined> {
    const known = this.#backends.get(client);
    if (known !== undefined) return known ?? undefined;
    const backend = await backendOf(client);
    this.#backends.set(client, backend ?? null);
    return backend;
  }
}
