import { GOAL_TAG } from "../../palace/contract.js";
import { PostgresGoalMemory } from "../../palace/postgres/postgres-goal-memory.js";
import { openReadOnlyPool } from "../postgres/read-only-pool.js";
import type { PostgresTarget } from "../postgres/postgres-target.js";
import type { ChangeSource } from "./change-source.js";

/**
 * Changes of a PostgreSQL palace, from its LISTEN/NOTIFY feed
 * (`PostgresGoalMemory.watchGoals`) on a read-only connection of its own. Watch
 * reads every goal again on any event, so an entry and a `gap` (the feed
 * (re)connected and may have missed notifications) are handled alike. The
 * feed reports a gap once it first listens, which covers commits between
 * watch's first read and then; after a lost connection it reconnects by
 * itself, and reports a gap again.
 */
export function postgresPalaceChanges(target: PostgresTarget): ChangeSource {
  return {
    start(onChange) {
      let stopped = false;
      let release: () => Promise<void> = async () => {};
      const started = (async () => {
        const pool = await openReadOnlyPool(target.url, 1);
        if (stopped) return pool.end();
        const palace = new PostgresGoalMemory(pool, { schema: target.schema, table: target.table });
        const feed = palace.watchGoals(GOAL_TAG, () => onChange());
        // The feed's timers are unref'd, and while it waits to reconnect no
        // socket is open either: without this, a log-mode watch (which only
        // waits for a signal) would exit as soon as the server went away.
        const keepAlive = setInterval(() => {}, 60_000);
        release = async () => {
          clearInterval(keepAlive);
          await feed.close();
          await palace.close();
          await pool.end();
        };
      })().catch(() => {
        // pg loaded for the first read, and opening a pool does not connect: nothing to report.
      });
      return async () => {
        stopped = true;
        await started;
        await release();
      };
    },
  };
}
