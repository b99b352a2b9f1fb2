import { GOAL_TAG } from "../../palace/contract.js";
import type { ChangeSource } from "./change-source.js";

/** Options of {@link sqlitePalaceChanges}. */
export interface SqliteChangesOptions {
  /**
   * How often the palace's change feed checks for commits, in ms.
   * @default 500
   */
  pollMs?: number;
}

/**
 * Changes of a SQLite palace, from its change feed (`SqliteGoalMemory.watchGoals`)
 * on a read-only connection: each commit by any process is one call. A palace
 * file written by goal-store 0.1 has no commit sequence, which a read-only
 * connection cannot add; for it, `PRAGMA data_version` alone is polled, which
 * SQLite bumps whenever another connection commits.
 */
export function sqlitePalaceChanges(file: string, options: SqliteChangesOptions = {}): ChangeSource {
  const pollMs = options.pollMs ?? 500;
  return {
    start(onChange) {
      let stop = () => {};
      let stopped = false;
      void Promise.all([import("better-sqlite3"), import("../../palace/sqlite/index.js")]).then(
        ([{ default: Database }, { SqliteGoalMemory }]) => {
          if (stopped) return;
          const database = new Database(file, { readonly: true, fileMustExist: true });
          let palace: InstanceType<typeof SqliteGoalMemory> | undefined;
          try {
            palace = new SqliteGoalMemory(database, { feedIntervalMs: pollMs });
          } catch {
            palace = undefined; // a 0.1 file: no feed on a read-only connection
          }
          // Commits between watch's first read and the feed's start are covered by one call now.
          onChange();
          if (palace !== undefined) {
            const feed = palace.watchGoals(GOAL_TAG, () => onChange());
            // The feed's timer lets a library user's process exit; watch runs until stopped.
            const keepAlive = setInterval(() => {}, 60_000);
            stop = () => {
              clearInterval(keepAlive);
              void feed.close();
              database.close();
            };
            return;
          }
          let last: unknown = database.pragma("data_version", { simple: true });
          const timer = setInterval(() => {
            const version = database.pragma("data_version", { simple: true });
            if (version !== last) onChange();
            last = version;
          }, pollMs);
          stop = () => {
            clearInterval(timer);
            database.close();
          };
        },
      );
      return () => {
        stopped = true;
        stop();
      };
    },
  };
}
