/** A PostgreSQL palace named on the command line: `--postgres URL [--pg-schema NAME] [--pg-table NAME]`. */
export interface PostgresTarget {
  /** The connection string as given; may hold a password, so never printed as is (see {@link describeTarget}). */
  url: string;
  schema: string;
  table: string;
}

// The table goal-store/postgres uses unless told otherwise.
const DEFAULT_SCHEMA = "public";
const DEFAULT_TABLE = "goal_entries";

/** A target from the option values (the names are checked when the palace is opened). */
export function postgresTarget(url: string, schema = DEFAULT_SCHEMA, table = DEFAULT_TABLE): PostgresTarget {
  return { url, schema, table };
}

/**
 * The target for messages: the URL without its password (a message may end up
 * in a log or a ticket), then the table, e.g.
 * `postgres://ops:***@db:5432/goals (public.goal_entries)`.
 */
export function describeTarget(target: PostgresTarget): string {
  return `${redactPassword(target.url)} (${target.schema}.${target.table})`;
}

/** The options that name the target, password masked, for hints such as "goal-store check --postgres … explains why". */
export function postgresFlags(target: PostgresTarget): string {
  const schema = target.schema === DEFAULT_SCHEMA ? "" : ` --pg-schema ${target.schema}`;
  const table = target.table === DEFAULT_TABLE ? "" : ` --pg-table ${target.table}`;
  return `--postgres ${redactPassword(target.url)}${schema}${table}`;
}

function redactPassword(connection: string): string {
  try {
    const url = new URL(connection);
    if (url.password !== "") url.password = "***";
    if (url.searchParams.has("password")) url.searchParams.set("password", "***");
    return url.toString();
  } catch {
    // The parser refuses what URL cannot parse; this is for a caller that did not check.
    return connection.replace(/(\/\/[^/:@]*:)[^@/]*@/, "$1***@").replace(/(password=)[^&\s]*/gi, "$1***");
  }
}
