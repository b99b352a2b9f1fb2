/** The tag under which every goal entry is remembered in the palace. */
export const GOAL_TAG = "sm-goal";

/** Identifies the goal revision an entry holds, so an adapter can upsert without parsing JSON. */
export interface GoalKey {
  /** The goal's id. */
  goalId: string;
  /** The goal's revision: higher is newer. */
  revision: number;
}

/**
 * The key inside an entry written without one (by hand, or by an older writer):
 * its `id` and `revision` (0 when absent), or `undefined` when the entry is not
 * JSON or has no id. Adapters that upsert need it; the store always passes a key.
 */
export function keyInEntry(json: string): GoalKey | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const { id, revision } = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof id !== "string" || id.length === 0) return undefined;
  return { goalId: id, revision: typeof revision === "number" ? revision : 0 };
}

/**
 * The palace seam: the durable source of truth behind a {@link GoalStore}.
 * Implement these two methods over any store (a database, a memory service, a
 * log); run `palaceConformance` from `goal-store/testing` to check an adapter.
 *
 * Contract:
 * - `rememberGoal` resolves only once the entry is durable; a rejection (or a
 *   throw) means it was **not** kept, and the store's mutation is not committed.
 * - `listGoals(tag)` returns every entry ever kept under `tag` that has not been
 *   superseded, in any order. An upserting adapter keeps only the newest
 *   revision per goal; an append-only one may return every revision (the store
 *   keeps the highest).
 */
export interface GoalMemory {
  /**
   * Keeps one goal entry.
   * @param json the goal in wire format (one JSON object).
   * @param tag always {@link GOAL_TAG} when called by the store.
   * @param key always passed by the store: the goal id and revision the JSON holds.
   */
  rememberGoal(json: string, tag: string, key?: GoalKey): Promise<void>;
  /** Every entry kept under `tag`, or `[]` for an unknown tag. */
  listGoals(tag: string): Promise<string[]>;
}
