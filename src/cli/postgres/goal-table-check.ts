import type { PgPool } from "../../palace/postgres/pg-client.js";
import { quoteIdentifier } from "../../palace/postgres/schema.js";
import type { PostgresTarget } from "./postgres-target.js";

// The columns goal-store/postgres reads; a table without them is someone else's.
const COLUMNS_READ = ["tag", "goal_id", "revision", "json"];

/**
 * Why the target's table cannot be read as a goal-store palace, or undefined
 * when it can. Checked before the palace is used, because PostgresGoalMemory
 * creates a missing table, and a CLI that only reads must not leave one behind
 * on a database that was never a palace (a mistyped URL or schema).
 */
export async function notAGoalTable(pool: PgPool, target: PostgresTarget): Promise<string | undefined> {
  const qualified = `${quoteIdentifier(target.schema)}.${quoteIdentifier(target.table)}`;
  const { rows } = await pool.query(
    "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
    [qualified],
  );
  const columns = new Set(rows.map((row) => (row as { attname: string }).attname));
  if (columns.size === 0) return `no ${target.table} table in schema ${target.schema}: is this a goal-store palace?`;
  const missing = COLUMNS_READ.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    return `table ${target.schema}.${target.table} has no ${missing.join(", ")} column${missing.length === 1 ? "" : "s"}, so it is not a goal-store palace`;
  }
  return undefined;
}
