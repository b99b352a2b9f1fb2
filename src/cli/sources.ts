import { existsSync } from "node:fs";
import { defaultCacheFile, GoalCache } from "../mirror/goal-cache.js";
import { decodeEntry } from "../wire/codec.js";
import { describeError, GoalStoreError } from "../errors.js";
import { GOAL_TAG } from "../palace/contract.js";
import { rebuildGoals, type RebuildResult } from "../wire/rebuild.js";

/** What one source held: its goals, or why it could not be read at all. */
export interface SourceReading {
  /** `goals.json` or `palace`, for messages. */
  name: string;
  path: string;
  result: RebuildResult | undefined;
  error: string | undefined;
}

/** Reads `<root>/sm/goals.json`; a missing file reads as an error here, since the user named it. */
export async function readCacheSource(root: string): Promise<SourceReading> {
  const path = defaultCacheFile(root);
  if (!existsSync(path)) return { name: "goals.json", path, result: undefined, error: "file not found" };
  try {
    return { name: "goals.json", path, result: await new GoalCache(path).read(), error: undefined };
  } catch (error) {
    return { name: "goals.json", path, result: undefined, error: describe(error) };
  }
}

/** Reads every goal entry of a SQLite palace, read-only. */
export async function readPalaceSource(file: string): Promise<SourceReading> {
  if (!existsSync(file)) return { name: "palace", path: file, result: undefined, error: "file not found" };
  try {
    // Loaded only when asked for, so --root works without better-sqlite3 installed.
    const { SqliteGoalMemory } = await import("../palace/sqlite/index.js");
    const { default: Database } = await import("better-sqlite3");
    const palace = new SqliteGoalMemory(new Database(file, { readonly: true, fileMustExist: true }));
    try {
      const entries = await palace.listGoals(GOAL_TAG);
      return { name: "palace", path: file, result: rebuildGoals(entries, decodeEntry), error: undefined };
    } finally {
      palace.close();
    }
  } catch (error) {
    return { name: "palace", path: file, result: undefined, error: describe(error) };
  }
}

function describe(error: unknown): string {
  return error instanceof GoalStoreError ? `${error.code}: ${error.message}` : describeError(error);
}
