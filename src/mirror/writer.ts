import type { GoalCache } from "./goal-cache.js";
import { CacheIoError, GoalStoreError } from "../errors.js";
import { callContained } from "../store/callbacks.js";

/**
 * Keeps goals.json following the committed state: commits only bump a counter;
 * one write is in flight at a time and always renders the newest committed
 * state, so a burst of N commits costs a couple of writes, not N, and between
 * background writes it rests as long as the last one took. A failed write is
 * reported and left for the next commit (or `flush`) to retry.
 */
export class CacheMirror {
  readonly #cache: GoalCache;
  readonly #render: () => readonly Uint8Array[];
  readonly #onError: (error: GoalStoreError) => void;
  #committed = 0;
  #written = 0;
  #inFlight: Promise<GoalStoreError | undefined> | undefined;
  // Between background writes the mirror rests as long as the last write took,
  // so that at 10,000 goals rewriting goals.json takes at most about half the
  // time and commits keep the event loop. A flush ends the rest at once.
  #endRest: (() => void) | undefined;
  #flushes = 0;
  // Writes are numbered as they start, so a flush can tell a failure of its own
  // write from one of a write that began before it was called.
  #writesStarted = 0;
  #lastFailedWrite = 0;

  constructor(cache: GoalCache, render: () => readonly Uint8Array[], onError: (error: GoalStoreError) => void) {
    this.#cache = cache;
    this.#render = render;
    this.#onError = onError;
  }

  /** Records a commit and starts a background write if none is running. */
  changed(): void {
    this.#committed++;
    this.#start();
  }

  /** Records a change without writing; the next `flush` (or commit) writes it. */
  invalidate(): void {
    this.#committed++;
  }

  /**
   * Resolves once goals.json reflects every commit recorded before the call,
   * writing if it is behind (also after an earlier failed write).
   * @throws {CacheIoError} the error of the write that left it behind.
   */
  async flush(): Promise<void> {
    const target = this.#committed;
    const firstOwnWrite = this.#writesStarted + 1;
    this.#flushes++;
    try {
      while (this.#written < target) {
        this.#endRest?.();
        // Join the write in flight, or start one. The answer is a write that
        // started after this call: if it fails while the file is still behind
        // `target`, reject with its error. An older write that failed (say,
        // while the disk was being repaired) is retried; one that succeeded but
        // started before some commit loops for another.
        const error = await (this.#inFlight ?? this.#start());
        if (error !== undefined && this.#written < target && this.#lastFailedWrite >= firstOwnWrite) throw error;
      }
    } finally {
      this.#flushes--;
    }
  }

  #start(): Promise<GoalStoreError | undefined> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const run = this.#drain();
    this.#inFlight = run;
    void run.then((error) => {
      this.#inFlight = undefined;
      // A commit can land after the drain's last check but before this callback;
      // it saw a write in flight and did not start one, so start it here. After a
      // failure, wait for the next commit or flush instead of spinning on it.
      if (error === undefined && this.#written < this.#committed) void this.#start();
    });
    return run;
  }

  async #drain(): Promise<GoalStoreError | undefined> {
    while (this.#written < this.#committed) {
      const target = this.#committed;
      const started = performance.now();
      const writeNumber = ++this.#writesStarted;
      try {
        await this.#cache.writeContent(this.#render());
        this.#written = target;
        if (this.#written < this.#committed && this.#flushes === 0) await this.#rest(performance.now() - started);
      } catch (cause) {
        this.#lastFailedWrite = writeNumber;
        const error = cause instanceof GoalStoreError ? cause : new CacheIoError(this.#cache.path, "write", cause);
        // A throwing or rejecting listener must not turn a reported failure into a crash.
        callContained("onCacheError", "GOAL_STORE_CACHE_ERROR_LISTENER", () => this.#onError(error));
        return error;
      }
    }
    return undefined;
  }

  #rest(milliseconds: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(finish, milliseconds);
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#endRest = finish;
    }).finally(() => {
      this.#endRest = undefined;
    });
  }
}
