import { GOAL_TAG } from "../../palace/contract.js";
import { PostgresGoalMemory } from "../../palace/postgres/postgres-goal-memory.js";
import { decodeEntry } from "../../wire/codec.js";
import { rebuildGoals } from "../../wire/rebuild.js";
import type { SourceReading } from "../sources.js";
import { describeConnectionError } from "./connection-error.js";
import { notAGoalTable } from "./goal-table-check.js";
import { openReadOnlyPool } from "./read-only-pool.js";
import { describeTarget, type PostgresTarget } from "./postgres-target.js";

/**
 * Reads every goal entry of a PostgreSQL palace, read-only, on a connection of
 * its own that is closed before returning. A database without goal-store's
 * table is refused by name (see {@link notAGoalTable}); a server that cannot
 * be reached fails within the connection timeout, with one sentence.
 */
export async function readPostgresSource(target: PostgresTarget): Promise<SourceReading> {
  const path = describeTarget(target);
  const fail = (error: string): SourceReading => ({ name: "palace", path, result: undefined, error });
  let pool: Awaited<ReturnType<typeof openReadOnlyPool>>;
  try {
    pool = await openReadOnlyPool(target.url, 1);
  } catch (error) {
    return fail(describeConnectionError(error));
  }
  try {
    const refused = await notAGoalTable(pool, target);
    if (refused !== undefined) return fail(refused);
    // A pool passed in stays ours: close() leaves it open, and it is ended below.
    const palace = new PostgresGoalMemory(pool, { schema: target.schema, table: target.table });
    try {
      const entries = await palace.listGoals(GOAL_TAG);
      return { name: "palace", path, result: rebuildGoals(entries, decodeEntry), error: undefined };
    } finally {
      await palace.close();
    }
  } catch (error) {
    return fail(describeConnectionError(error));
  } finally {
    await pool.end().catch(() => {});
  }
}
