import { defaultCacheFile, GoalCache } from "../mirror/goal-cache.js";
import { decodeEntry } from "../wire/codec.js";
import { describeError, GoalStoreError } from "../errors.js";
import { GOAL_TAG } from "../palace/contract.js";
import { rebuildGoals, type RebuildResult } from "../wire/rebuild.js";
import { notARegularFile, notSqlite } from "./file-checks.js";

/** What one source held: its goals, or why it could not be read at all. */
export interface SourceReading {
  /** `goals.json` or `palace`, for messages. */
  name: "goals.json" | "palace";
  path: string;
  result: RebuildResult | undefined;
  error: string | undefined;
}

/** Reads `<root>/sm/goals.json`; a missing file reads as an error here, since the user named it. */
export async function readCacheSource(root: string): Promise<SourceReading> {
  const path = defaultCacheFile(root);
  const refused = await notARegularFile(path);
  if (refused !== undefined) {
    const hint = refused === "file not found" ? ` (is ${root} a goal-store data root?)` : "";
    return { name: "goals.json", path, result: undefined, error: `${refused}${hint}` };
  }
  try {
    return { name: "goals.json", path, result: await new GoalCache(path).read(), error: undefined };
  } catch (error) {
    return { name: "goals.json", path, result: undefined, error: describe(error) };
  }
}

/**
 * Reads every goal entry of a SQLite palace, read-only. Files that are not a
 * goal-store palace are refused by name rather than opened: the palace adapter
 * creates its table, which on a read-only foreign file failed with "attempt to
 * write a readonly database".
 */
export async function readPalaceSource(file: string): Promise<SourceReading> {
  const fail = (error: string): SourceReading => ({ name: "palace", path: file, result: undefined, error });
  const refused = (await notARegularFile(file)) ?? (await notSqlite(file).catch((error: unknown) => describe(error)));
  if (refused !== undefined) return fail(refused);
  try {
    // Loaded only when asked for, so --root works without better-sqlite3 installed.
    const { SqliteGoalMemory } = await import("../palace/sqlite/index.js");
    const { default: Database } = await import("better-sqlite3");
    const database = new Database(file, { readonly: true, fileMustExist: true });
    if (!hasGoalTable(database)) {
      database.close();
      return fail("is a SQLite database but not a goal-store palace (it has no goal_entries table)");
    }
    const palace = new SqliteGoalMemory(database);
    try {
      const entries = await palace.listGoals(GOAL_TAG);
      return { name: "palace", path: file, result: rebuildGoals(entries, decodeEntry), error: undefined };
    } finally {
      database.close();
    }
  } catch (error) {
    return fail(describe(error));
  }
}

/** Whether an open SQLite database has the table goal-store/sqlite writes. */
export function hasGoalTable(database: { prepare(sql: string): { get(...params: unknown[]): unknown } }): boolean {
  return database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'goal_entries'").get() !== undefined;
}

function describe(error: unknown): string {
  return error instanceof GoalStoreError ? `${error.code}: ${error.message}` : describeError(error);
}
