/** How a {@link WriteScheduler} paces and reports its runs. */
export interface WriteSchedulerOptions {
  /**
   * Least time between the end of one run and the start of the next, in ms.
   * A `flush` does not wait for it.
   * @default 0
   */
  minIntervalMs?: number;
  /**
   * Also rest at least as long as the last run took, so a slow run (a large
   * file on a slow disk) leaves the process at least half of its time.
   * @default false
   */
  restAtLeastRunTime?: boolean;
  /**
   * Told of every failed run (it must not throw). Nothing retries a failed run
   * on its own: the next `request` or `flush` runs again.
   * @default no-op
   */
  onError?: (error: unknown) => void;
}

// What a drain ended with: `undefined` when every request so far is covered.
type DrainOutcome = { readonly error: unknown } | undefined;

/**
 * Brings something up to date with one repeatable run (write goals.json,
 * redraw a screen), however often it is asked to:
 *
 * - **Coalescing**: at most one run is in flight; requests made during a run
 *   cause exactly one more run, which covers them all.
 * - **Pacing**: after a run the scheduler rests `minIntervalMs` (and, if asked,
 *   as long as that run took) before the next one.
 * - **Flush**: `flush()` ends the rest and resolves once every request made
 *   before it is covered by a run that succeeded; it rejects with the error of
 *   a run that started after the call and failed.
 *
 * Nothing requested since the last successful run means nothing to run.
 */
export class WriteScheduler {
  readonly #run: () => Promise<void>;
  readonly #minIntervalMs: number;
  readonly #restAtLeastRunTime: boolean;
  readonly #onError: (error: unknown) => void;
  #requested = 0;
  // The requests the last successful run covered (all made before it started).
  #covered = 0;
  #inFlight: Promise<DrainOutcome> | undefined;
  // performance.now() before which no run starts unless a flush waits.
  #nextAllowed = 0;
  #endRest: (() => void) | undefined;
  #flushes = 0;
  // Runs are numbered as they start, so a flush can tell a failure of its own
  // run from one of a run that began before it was called.
  #runsStarted = 0;
  #lastFailedRun = 0;

  /** @param run brings the target up to date with everything requested before it started. */
  constructor(run: () => Promise<void>, options: WriteSchedulerOptions = {}) {
    this.#run = run;
    this.#minIntervalMs = options.minIntervalMs ?? 0;
    this.#restAtLeastRunTime = options.restAtLeastRunTime ?? false;
    this.#onError = options.onError ?? (() => {});
  }

  /**
   * Asks for a run that starts after this call. It starts on a microtask (or
   * after the rest), so a `flush` called right after a request starts that run
   * itself and counts it as its own.
   */
  request(): void {
    this.#requested++;
    queueMicrotask(() => void this.#start());
  }

  /**
   * Resolves once every request made before the call is covered by a
   * successful run, running at once (without the rest) when one is missing,
   * also after an earlier failed run.
   * @throws the error of a run that started after this call and failed.
   */
  async flush(): Promise<void> {
    const target = this.#requested;
    const firstOwnRun = this.#runsStarted + 1;
    this.#flushes++;
    try {
      while (this.#covered < target) {
        this.#endRest?.();
        // Join the run in flight, or start one. An older run that failed (say,
        // while the disk was being repaired) is retried; one that succeeded but
        // started before some request loops for another.
        const outcome = await (this.#inFlight ?? this.#start());
        if (outcome !== undefined && this.#covered < target && this.#lastFailedRun >= firstOwnRun) throw outcome.error;
      }
    } finally {
      this.#flushes--;
    }
  }

  #start(): Promise<DrainOutcome> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const drain = this.#drain();
    this.#inFlight = drain;
    void drain.then((outcome) => {
      this.#inFlight = undefined;
      // A request can come after the drain's last check but before this
      // callback; it saw a run in flight and did not start one, so start it
      // here. After a failure, wait for the next request or flush instead of
      // spinning on it.
      if (outcome === undefined && this.#covered < this.#requested) void this.#start();
    });
    return drain;
  }

  async #drain(): Promise<DrainOutcome> {
    while (this.#covered < this.#requested) {
      const wait = this.#nextAllowed - performance.now();
      if (wait > 0 && this.#flushes === 0) {
        await this.#rest(wait);
        continue;
      }
      const target = this.#requested;
      const started = performance.now();
      const runNumber = ++this.#runsStarted;
      try {
        await this.#run();
        this.#covered = target;
      } catch (error) {
        this.#lastFailedRun = runNumber;
        this.#onError(error);
        return { error };
      } finally {
        // Also after a failure: a failing target is not retried in a tight loop.
        const now = performance.now();
        this.#nextAllowed = now + Math.max(this.#minIntervalMs, this.#restAtLeastRunTime ? now - started : 0);
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
