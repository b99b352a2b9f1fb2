import { createHash } from "node:crypto";
import { withConnection, type PgPool } from "./pg-client.js";

/** Where the adapter keeps its rows, quoted for SQL, and the feed's channel. */
export interface TableNames {
  /** `"schema"."table"`, quoted. */
  readonly qualified: string;
  /** The schema, unquoted. */
  readonly schema: string;
  /** The table, unquoted. */
  readonly table: string;
  /** The NOTIFY channel for this table: short and fixed-length, whatever the names. */
  readonly channel: string;
}

/** Quotes an identifier for SQL (names come from options, never from data). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Validated names for one table.
 * @throws {TypeError} when a name is empty, longer than PostgreSQL's 63 bytes, or holds a NUL or a `$`.
 */
export function tableNames(schema: string, table: string): TableNames {
  for (const [what, name] of [["schema", schema], ["table", table]] as const) {
    // "$" is refused because the batch write inlines "$n" parameters into SQL
    // that also holds the quoted names.
    if (typeof name !== "string" || name.length === 0 || Buffer.byteLength(name) > 63 || name.includes("\0") || name.includes("$")) {
      throw new TypeError(`Expected option ${what} to be a PostgreSQL identifier of 1 to 63 bytes without "$", got ${JSON.stringify(name)}`);
    }
  }
  const qualified = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  // Channel names are identifiers too (63 bytes at most): a hash keeps any schema/table pair within that.
  const channel = `goal_store_${createHash("sha256").update(`${schema}.${table}`).digest("hex").slice(0, 24)}`;
  return { qualified, schema, table, channel };
}

/** The DDL the adapter runs when the table is missing (docs/palaces.md shows it for hand-run migrations). */
function tableDdl(names: TableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${names.qualified} (
  tag          text        NOT NULL,
  goal_id      text        NOT NULL,
  revision     bigint      NOT NULL,
  json         text        NOT NULL,
  seq          bigint      GENERATED ALWAYS AS IDENTITY,
  committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tag, goal_id)
)`;
}

// The columns the adapter reads; a table without them is someone else's.
const COLUMNS_READ = ["tag", "goal_id", "revision", "json"];

/**
 * For an adapter that must create nothing (read-only): resolves when the table
 * exists with the columns the adapter reads. A missing table is an error
 * rather than created, so a reader pointed at the wrong database (a mistyped
 * URL or schema) leaves nothing behind.
 * @param query runs one statement (the caller decides on which connection).
 * @throws {Error} naming the missing table or columns.
 */
export async function checkTable(query: PgPool["query"], names: TableNames): Promise<void> {
  const { rows } = await query(
    "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
    [names.qualified],
  );
  const columns = new Set(rows.map((row) => (row as { attname: string }).attname));
  if (columns.size === 0) throw new Error(`no ${names.table} table in schema ${names.schema}: is this a goal-store palace?`);
  const missing = COLUMNS_READ.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    const plural = missing.length === 1 ? "" : "s";
    throw new Error(`table ${names.schema}.${names.table} has no ${missing.join(", ")} column${plural}, so it is not a goal-store palace`);
  }
}

/**
 * Creates the schema and table when missing. Several processes may start at
 * once: `IF NOT EXISTS` alone still races (two creators can both pass the
 * check and one fails on the catalog's unique index), so creation runs under
 * a transaction-scoped advisory lock (one per schema: creating the schema
 * races the same way). When both exist already, nothing but a
 * lookup runs, so a role without CREATE rights works on a migrated database.
 */
export async function ensureTable(pool: PgPool, names: TableNames): Promise<void> {
  const exists = async (query: PgPool["query"]) =>
    (await query("SELECT to_regclass($1) IS NOT NULL AS present", [names.qualified])).rows[0] as { present: boolean };
  if ((await exists((text, values) => pool.query(text, values))).present) return;
  await withConnection(pool, async (client) => {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`goal-store:${quoteIdentifier(names.schema)}`]);
    if (!(await exists((text, values) => client.query(text, values))).present) {
      const schema = await client.query("SELECT to_regnamespace($1) IS NOT NULL AS present", [quoteIdentifier(names.schema)]);
      if (!(schema.rows[0] as { present: boolean }).present) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(names.schema)}`);
      }
      await client.query(tableDdl(names));
    }
    // A failure anywhere destroys the connection, which rolls the transaction back.
    await client.query("COMMIT");
  });
}
