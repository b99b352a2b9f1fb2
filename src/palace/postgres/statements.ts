import type { TableNames } from "./schema.js";

/** The SQL of every call, for one table. */
export interface Statements {
  /** $1 tag, $2 goal id, $3 revision, $4 json, $5 channel, $6 payload: insert only if absent. */
  readonly create: string;
  /** $1 revision, $2 json, $3 tag, $4 goal id, $5 base, $6 channel, $7 payload: update only at the base revision. */
  readonly update: string;
  /** `update`, and $8: the json the row must hold, for an entry chained on an earlier one of the same batch. */
  readonly updateChained: string;
  /** Like `create`, but replaces a held entry with a lower revision (entries written without a base). */
  readonly upsertNewer: string;
  /** $1 tag, $2 goal id: the held revision and json. */
  readonly read: string;
  /** $1 tag: every goal's entry. */
  readonly list: string;
}

// Each write notifies in the same statement, so the notification is sent at
// commit and only when a row was kept (a refused compare-and-set changes no row,
// so `w` is empty and pg_notify never runs). `rowCount` counts the rows of the
// outer SELECT, one per row the write kept.
const notifying = (write: string): string => `WITH w AS (${write} RETURNING 1) SELECT pg_notify($CHANNEL, $PAYLOAD) FROM w`;

/** Builds the statements for `names`. */
export function statements(names: TableNames): Statements {
  const t = names.qualified;
  const numbered = (sql: string, channel: number): string =>
    sql.replace("$CHANNEL", `$${channel}`).replace("$PAYLOAD", `$${channel + 1}`);
  return {
    create: numbered(
      notifying(`INSERT INTO ${t} (tag, goal_id, revision, json) VALUES ($1, $2, $3, $4) ON CONFLICT (tag, goal_id) DO NOTHING`),
      5,
    ),
    update: numbered(
      notifying(
        `UPDATE ${t} SET revision = $1, json = $2, seq = DEFAULT, committed_at = clock_timestamp()
         WHERE tag = $3 AND goal_id = $4 AND revision = $5`,
      ),
      6,
    ),
    updateChained: numbered(
      notifying(
        `UPDATE ${t} SET revision = $1, json = $2, seq = DEFAULT, committed_at = clock_timestamp()
         WHERE tag = $3 AND goal_id = $4 AND revision = $5 AND json = $8`,
      ),
      6,
    ),
    upsertNewer: numbered(
      notifying(
        `INSERT INTO ${t} AS held (tag, goal_id, revision, json) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tag, goal_id) DO UPDATE
           SET revision = excluded.revision, json = excluded.json, seq = DEFAULT, committed_at = clock_timestamp()
           WHERE held.revision < excluded.revision`,
      ),
      5,
    ),
    read: `SELECT revision, json FROM ${t} WHERE tag = $1 AND goal_id = $2`,
    list: `SELECT json FROM ${t} WHERE tag = $1 ORDER BY goal_id`,
  };
}

/**
 * `sql` with its `$n` parameters replaced by SQL literals, for a batch sent as
 * one multi-statement query (the simple query protocol takes no parameters).
 * Strings become escape-string literals, so the result is the same whatever
 * `standard_conforming_strings` is.
 */
export function inline(sql: string, values: readonly (string | number | null)[]): string {
  return sql.replace(/\$(\d+)/g, (_, index: string) => literal(values[Number(index) - 1] ?? null));
}

function literal(value: string | number | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number") return String(value);
  return `E'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}
