import { PostgresGoalMemory } from "../../palace/postgres/index.js";
import { UsageError } from "../args.js";
import { palaceSource, type PalaceSource } from "../palace-source.js";
import { describeFailure } from "../source-reading.js";
import { describeTarget, postgresFlags, type PostgresTarget } from "./postgres-target.js";

/** Server-side limit of one statement: listing a big table is one statement. */
const STATEMENT_TIMEOUT_MS = 30_000;

/**
 * A PostgreSQL palace (`--postgres URL`), through PostgresGoalMemory opened
 * read-only: it creates nothing (a database without goal-store's table is
 * refused by name), and every read runs in a READ ONLY transaction, so the
 * server holds the CLI to never changing the palace whatever the URL says.
 * Reads and watch's feed share one pool of two connections, ended on close.
 * Constructing the adapter connects to nothing, so this runs with the
 * parsing of the command line.
 * @throws {UsageError} when --pg-schema or --pg-table is not a PostgreSQL identifier.
 */
export function postgresSource(target: PostgresTarget): PalaceSource {
  let palace: PostgresGoalMemory | undefined;
  let failure: unknown;
  try {
    palace = new PostgresGoalMemory(target.url, {
      schema: target.schema,
      table: target.table,
      readOnly: true,
      maxConnections: 2,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      applicationName: "goal-store-cli",
    });
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message.replace(/^Expected option (schema|table)/, "Expected --pg-$1"));
    failure = error;
  }
  return palaceSource({
    path: describeTarget(target),
    flag: postgresFlags(target),
    open: async () => palace ?? Promise.reject(failure),
    describe: (error) =>
      isMissingPg(error) ? "--postgres needs the pg package (node-postgres), which is not installed: run `npm install pg`" : describeFailure(error),
  });
}

// The adapter names the package in its own words ("goal-store/postgres needs
// pg"), with the failed require as the cause; the operator typed --postgres.
function isMissingPg(error: unknown): boolean {
  return (error as { cause?: { code?: unknown } } | null)?.cause?.code === "MODULE_NOT_FOUND";
}
