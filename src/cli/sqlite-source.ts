import { SqliteGoalMemory } from "../palace/sqlite/index.js";
import { notARegularFile, notSqlite } from "./file-checks.js";
import { palaceSource, type PalaceSource } from "./palace-source.js";

/** How often watch checks a SQLite palace for commits, in ms. */
const FEED_INTERVAL_MS = 500;

/**
 * A SQLite palace file (`--sqlite FILE`), opened read-only: SqliteGoalMemory
 * then never writes (a goal-store 0.1 file is read as it is) and refuses a
 * SQLite database without goal-store's table. Other files are refused by name
 * before SQLite sees them: a FIFO would block the open forever.
 */
export function sqliteSource(file: string): PalaceSource {
  return palaceSource({
    path: file,
    flag: `--sqlite ${file}`,
    async open() {
      const refused = (await notARegularFile(file)) ?? (await notSqlite(file));
      if (refused !== undefined) throw new Error(refused);
      return new SqliteGoalMemory(file, { readOnly: true, feedIntervalMs: FEED_INTERVAL_MS });
    },
  });
}
