import { createRequire } from "node:module";

/** What a query resolves to; only `rows` and `rowCount` are used. */
export interface PgQueryResult {
  /** The rows, as objects keyed by column name. */
  rows: unknown[];
  /** Rows returned or changed (`null` for commands without a count). */
  rowCount: number | null;
}

/** A message a `LISTEN`ing connection receives. */
export interface PgNotification {
  /** The channel it was sent on. */
  channel: string;
  /** What `NOTIFY` sent (at most 8000 bytes). */
  payload?: string | undefined;
}

/** The part of a pg `PoolClient` this adapter uses: one connection checked out of a pool. */
export interface PgPoolClient {
  /** Runs one statement with `$1`-style parameters. */
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  /** Returns the connection to its pool; with an error or `true`, the pool destroys it instead. */
  release(destroy?: Error | boolean): void;
  /** Connection events: notifications, errors, the end of the connection. */
  on(event: "notification", listener: (message: PgNotification) => void): unknown;
  /** @inheritDoc */
  on(event: "error", listener: (error: Error) => void): unknown;
  /** @inheritDoc */
  on(event: "end", listener: () => void): unknown;
  /** Stops calling a listener added with `on`. */
  removeListener(event: "error", listener: (error: Error) => void): unknown;
}

/**
 * The part of a pg `Pool` this adapter uses, so any pool with this shape (pg's,
 * or a wrapper around it) can be passed in.
 */
export interface PgPool {
  /** Checks out one connection (released with `release`). */
  connect(): Promise<PgPoolClient>;
  /** Runs one statement on any connection of the pool. */
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  /**
   * Pool events, when the pool has them (pg's does): the adapter listens for
   * `error` (an idle connection died) and `connect` (a new connection) so that
   * neither can crash the process, and stops listening on `close()`.
   */
  on?(event: "error", listener: (error: Error) => void): unknown;
  /** @inheritDoc */
  on?(event: "connect", listener: (client: PgPoolClient) => void): unknown;
  /** Stops calling a listener added with `on`. */
  removeListener?(event: "error", listener: (error: Error) => void): unknown;
  /** @inheritDoc */
  removeListener?(event: "connect", listener: (client: PgPoolClient) => void): unknown;
}

/** A pool this adapter opened itself, so it also ends it. */
export interface OwnedPgPool extends PgPool {
  end(): Promise<void>;
}

/** The connection settings of a pool this adapter opens from a connection string. */
export interface OwnedPoolConfig {
  connectionString: string;
  max: number;
  connectionTimeoutMillis: number;
  statement_timeout: number;
  query_timeout: number;
  application_name: string;
  keepAlive: boolean;
}

interface PgModule {
  Pool: new (config: OwnedPoolConfig) => OwnedPgPool;
}

// pg reports a connection that died mid-query twice: the query rejects, and
// the client emits "error", synchronously, before the rejection is handled.
// A checked-out client has no listener of its own, so without this one the
// process would crash.
const ignore = (): void => {};
const unheard = (): void => {};
const idleDied = (): void => {};
const listenFromBirth = (client: PgPoolClient): void => void client.on("error", unheard);

/**
 * Opens a pg pool. pg is an optional peer dependency, loaded only when a
 * connection string is given (a pool passed in needs none of it).
 * @throws {Error} naming the package to install when pg cannot be loaded.
 */
export function openPool(config: OwnedPoolConfig): OwnedPgPool {
  let pg: PgModule;
  try {
    pg = createRequire(import.meta.url)("pg") as PgModule;
  } catch (cause) {
    throw new Error("goal-store/postgres needs pg (node-postgres): run `npm install pg`", { cause });
  }
  return new pg.Pool(config);
}

/**
 * Keeps the connections of `pool` from crashing the process; returns what
 * undoes it (for a pool passed in, which stays its owner's).
 *
 * An idle connection that dies (a server restart, a cut) is reported as the
 * pool's `error`; unheard, it would crash the process, and the next query
 * opens a fresh connection anyway. A new connection is handed out with no
 * error listener while the bytes that came with its ReadyForQuery are still
 * being parsed: a server that ends it at once (pg_terminate_backend, a
 * restart) sends the FATAL error in the same read, and `pool.connect()`'s
 * caller only gets to listen a microtask later. Unheard, that error would
 * crash the process; every new connection therefore listens from birth (its
 * failures still reach the queries it runs, which reject).
 */
export function guardPool(pool: PgPool): () => void {
  if (typeof pool.on !== "function") return () => {};
  pool.on("error", idleDied);
  pool.on("connect", listenFromBirth);
  return () => {
    pool.removeListener?.("error", idleDied);
    pool.removeListener?.("connect", listenFromBirth);
  };
}

/** Whether `error` is an answer from the server about a statement (the connection itself is fine). */
function isStatementError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { severity?: unknown }).severity === "ERROR";
}

/**
 * Runs `body` on one connection of `pool`. On success the connection goes back
 * to the pool; on failure it is destroyed (it may be mid-transaction or dead)
 * and `onLost` runs with it before the error is rethrown, unless the server
 * answered with a statement error (the connection is fine then).
 */
export async function withConnection<T>(
  pool: PgPool,
  body: (client: PgPoolClient) => Promise<T>,
  onLost?: (client: PgPoolClient) => Promise<unknown>,
): Promise<T> {
  const client = await pool.connect();
  client.on("error", ignore);
  let result: T;
  try {
    result = await body(client);
  } catch (error) {
    client.release(error instanceof Error ? error : true);
    if (!isStatementError(error)) await onLost?.(client);
    throw error;
  }
  client.removeListener("error", ignore);
  client.release();
  return result;
}
