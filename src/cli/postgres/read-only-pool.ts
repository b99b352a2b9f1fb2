import type { OwnedPgPool } from "../../palace/postgres/pg-client.js";

/** How long opening a connection may take: the palace's default, so a dead host fails in seconds, not at the TCP timeout. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Server-side limit of one statement; listing a big table is one statement. */
const STATEMENT_TIMEOUT_MS = 30_000;

/** pg (node-postgres) is an optional peer of goal-store: this names what to install when it is missing. */
export class PgMissingError extends Error {
  override readonly name = "PgMissingError";
  constructor(cause: unknown) {
    super("--postgres needs the pg package (node-postgres), which is not installed: run `npm install pg`", { cause });
  }
}

interface PgModule {
  Pool: new (config: Record<string, unknown>) => OwnedPgPool;
}

/**
 * A pg pool whose every transaction is read-only
 * (`default_transaction_read_only`): the CLI promises never to change the
 * palace, and this makes the server hold it to that, whatever a palace method
 * would try (PostgresGoalMemory creates its table when it finds none).
 * LISTEN is allowed in a read-only transaction, so the change feed works.
 * @throws {PgMissingError} when pg cannot be loaded.
 */
export async function openReadOnlyPool(url: string, maxConnections = 2): Promise<OwnedPgPool> {
  let pg: PgModule;
  try {
    const loaded = (await import("pg")) as unknown as { default?: PgModule } & Partial<PgModule>;
    pg = loaded.default ?? (loaded as PgModule);
  } catch (error) {
    throw new PgMissingError(error);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    // Client side too: a server that stopped answering must not leave the CLI waiting for TCP to give up.
    query_timeout: STATEMENT_TIMEOUT_MS + CONNECT_TIMEOUT_MS,
    options: "-c default_transaction_read_only=on",
    application_name: "goal-store-cli",
    keepAlive: true,
  });
  // An idle connection that dies is reported here; unheard, it would crash the process.
  pool.on("error", () => {});
  return pool;
}
