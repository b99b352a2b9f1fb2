import type { GoalStoreError } from "../errors.js";
import { callContained } from "../util/callbacks.js";
import { WriteScheduler } from "../util/write-scheduler.js";
import { DEFAULT_LIMITS, type GoalLimits } from "../wire/limits.js";
import type { CommittedGoalsView } from "./rendered-goals.js";
import { SharedCacheFile } from "./shared-file.js";
import { WritableGoalCache } from "./writable-goal-cache.js";

/** The default least time between two background goals.json writes, in ms. */
export const DEFAULT_CACHE_WRITE_INTERVAL_MS = 500;

/**
 * Keeps goals.json following a store's committed goals, which it only reads.
 * The store says when they `changed` and when it needs goals.json to have
 * caught up (`flush`); a {@link WriteScheduler} turns that into writes of a
 * {@link SharedCacheFile}: one write in flight at a time, always of the newest
 * committed state, so a burst of N commits costs a couple of writes, not N.
 * goals.json is rewritten whole (it must stay one complete, atomically
 * replaced array), so what bounds the bytes written is how often: after each
 * background write the writer rests `minIntervalMs` (and at least as long as
 * that write took) before the next (bench/results.md has the figures), and
 * goals.json is at most about `minIntervalMs` plus two writes behind. `flush` (and so `dispose`)
 * ends the rest at once. With nothing changed since the last write, nothing is
 * written. A failed write is reported and left for the next change (or
 * `flush`) to retry.
 */
export class CacheWriter {
  readonly #file: SharedCacheFile;
  readonly #scheduler: WriteScheduler;

  /**
   * @param goals the store's committed goals, read at each write.
   * @param onError told of every failed background write; contained (a throw is only reported).
   * @param minIntervalMs least time between the end of a background write and
   *   the start of the next; see {@link DEFAULT_CACHE_WRITE_INTERVAL_MS}.
   * @param limits the store's: goals another store wrote are read back under them.
   */
  constructor(
    path: string,
    goals: CommittedGoalsView,
    onError: (error: GoalStoreError) => void,
    minIntervalMs: number = DEFAULT_CACHE_WRITE_INTERVAL_MS,
    limits: Pick<GoalLimits, "goalSize"> = DEFAULT_LIMITS,
  ) {
    const file = new SharedCacheFile(new WritableGoalCache(path), limits);
    this.#file = file;
    this.#scheduler = new WriteScheduler(() => file.write(goals), {
      minIntervalMs,
      restAtLeastRunTime: true,
      // SharedCacheFile#write fails only with a GoalStoreError (CACHE_IO).
      // A throwing or rejecting listener must not turn a reported failure into a crash.
      onError: (error) => callContained("onCacheError", "GOAL_STORE_CACHE_ERROR_LISTENER", () => onError(error as GoalStoreError)),
    });
  }

  /** Records a commit; a background write follows (now, or after the rest). */
  changed(): void {
    this.#scheduler.request();
  }

  /**
   * Resolves once goals.json reflects every change recorded before the call,
   * writing if it is behind (also after an earlier failed write).
   * @throws {CacheIoError} the error of the write that left it behind.
   */
  flush(): Promise<void> {
    return this.#scheduler.flush();
  }

  /**
   * After a load filled the committed goals: when goals.json is missing,
   * writes it now and returns the error if that fails (load reports it as
   * `cacheError`). When it exists (a restart), returns at once: a background
   * write compares it with the goals and rewrites it only if it differs,
   * reporting a failure through `onCacheError` only: rendering and comparing
   * every goal before resolving would make a restart's load much slower for nothing.
   */
  async reconcile(): Promise<GoalStoreError | undefined> {
    if (!(await this.#file.exists())) {
      this.#scheduler.request();
      try {
        await this.#scheduler.flush();
      } catch (error) {
        return error as GoalStoreError;
      }
      return undefined;
    }
    // Dead writers' temp files still go before load resolves, as when it
    // wrote: a readdir under the lock, cheap next to a rewrite.
    await this.#file.sweep();
    this.#file.checkBeforeNextWrite();
    this.#scheduler.request();
    return undefined;
  }
}
