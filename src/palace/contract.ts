/** The tag under which every goal entry is remembered in the palace. */
export const GOAL_TAG = "sm-goal";

/**
 * Identifies the goal revision an entry holds, and the revision it was built
 * on, so an adapter can compare-and-set without parsing JSON.
 */
export interface GoalKey {
  /** The goal's id. */
  goalId: string;
  /** The goal's revision: higher is newer. */
  revision: number;
  /**
   * The revision the palace must hold for this goal right now for the entry to
   * be kept: `null` when the goal must not exist yet (a create), `0` for an
   * entry written without a revision (by the Rust original). The store always
   * passes it. When it is `undefined` (an entry written by hand), a palace
   * keeps the entry only if its revision is higher than the one it holds.
   */
  base?: number | null;
}

/**
 * The key inside an entry written without one (by hand, or by an older writer):
 * its `id` and `revision` (0 when absent), or `undefined` when the entry is not
 * JSON or has no id. Adapters need it; the store always passes a key.
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
 * Something that happened in the palace, as a change feed reports it:
 * - `entry`: a goal entry was kept (by any writer, this process included). `json`
 *   is the entry when the feed has it at hand; without it the store reads the
 *   goal with `readGoal`.
 * - `gap`: events may have been missed (a reconnect, an overflow); the store
 *   lists every goal again and applies what it had not seen.
 */
export type PalaceEvent =
  | { readonly kind: "entry"; readonly goalId: string; readonly revision: number; readonly json?: string }
  | { readonly kind: "gap" };

/** One entry of a batch write ({@link GoalMemory.rememberGoals}). */
export interface GoalEntry {
  /** The goal in wire format. */
  readonly json: string;
  /** Its id, revision and base revision, as for `rememberGoal`. */
  readonly key: GoalKey;
}

/** A running change feed; `close()` stops it. */
export interface PalaceWatch {
  /** Stops delivering events and releases what the feed holds (a timer, a connection). */
  close(): void | Promise<void>;
}

/**
 * The palace seam: the durable source of truth behind a {@link GoalStore}.
 * Two methods are required; three more are optional capabilities that make
 * several writers efficient. Run `palaceConformance` from `goal-store/testing`
 * to check an adapter.
 *
 * Contract:
 * - `rememberGoal` resolves only once the entry is durable **and kept**. It
 *   keeps the entry only if the goal's current revision is `key.base`
 *   (compare-and-set, atomically); otherwise it keeps nothing and rejects with
 *   an error whose `code` is `"STALE"` (a `StaleError`, or any error with that
 *   code). It never resolves without keeping the entry. Any other rejection is a
 *   failure whose outcome may be unknown (a networked palace can keep an entry
 *   and still report an error); the store reads the goal back to settle it.
 *   A palace that knows the write may still be kept later (it could not stop
 *   it) says so with `mayStillLand: true` on the error, and the store then
 *   never reports it as not committed.
 * - `listGoals(tag)` returns every entry kept under `tag`, in any order. An
 *   upserting adapter returns only the newest revision per goal; an
 *   append-only one may return every revision (the store keeps the highest).
 * - A palace that keeps every entry it is given without comparing (a blind
 *   upsert, an append-only log) works for a single writer only: it cannot
 *   protect several writers from overwriting each other.
 */
export interface GoalMemory {
  /**
   * Keeps one goal entry if the goal is still at `key.base`.
   * @param json the goal in wire format (one JSON object).
   * @param tag always {@link GOAL_TAG} when called by the store.
   * @param key always passed by the store: the goal id, the revision the JSON
   *   holds, and the revision it was built on.
   * @throws an error with `code: "STALE"` when the goal is not at `key.base`.
   */
  rememberGoal(json: string, tag: string, key?: GoalKey): Promise<void>;
  /** Every entry kept under `tag`, or `[]` for an unknown tag. */
  listGoals(tag: string): Promise<string[]>;
  /**
   * Optional: the newest entry of one goal, or `undefined` when it has none.
   * Without it the store refreshes a goal through `listGoals`.
   */
  readGoal?(tag: string, goalId: string): Promise<string | undefined>;
  /**
   * Optional batch write (group commit): keeps several entries in one round
   * trip (one transaction, one request), each compare-and-set on its own
   * `key.base` exactly as `rememberGoal` would, in the order given. An entry of
   * a goal whose earlier entry in the same batch was refused is refused too,
   * without being tried (it was built on the refused one).
   * @returns per entry, `"kept"` or `"stale"`, once every kept entry is durable.
   * @throws when the batch failed as a whole; then any entry may or may not
   *   have been kept, and the store reads each goal back.
   */
  rememberGoals?(tag: string, entries: readonly GoalEntry[]): Promise<readonly ("kept" | "stale")[]>;
  /**
   * Optional change feed: calls `onEvent` for entries kept under `tag` from now
   * on, by any writer (this one included; the store ignores revisions it has).
   * Events for one goal arrive in revision order. Without a feed, a store sees
   * other writers' commits only when its own write on the goal is refused as stale.
   */
  watchGoals?(tag: string, onEvent: (event: PalaceEvent) => void): PalaceWatch;
}
