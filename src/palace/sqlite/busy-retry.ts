import { backoffDelay, type Backoff } from "../../util/backoff.js";

/**
 * How long one attempt lets SQLite wait, synchronously, for another
 * connection's lock, in ms: better-sqlite3 waits inside the call, holding the
 * event loop, so this stays a few milliseconds and the rest of the wait is
 * asynchronous (issue 19.13: a 3 s busy timeout stalled every timer for 3 s).
 */
export const ATTEMPT_BUSY_TIMEOUT_MS = 5;

// Pauses between attempts: doubling from 1 ms to at most 50 ms, with jitter so
// that processes waiting on one lock do not retry in step.
const PAUSES: Backoff = { firstMs: 1, maxMs: 50, jitter: "half" };

/**
 * Whether SQLite refused because another connection holds a lock (`SQLITE_BUSY`
 * and its extended codes): the statement did nothing, and may be run again.
 */
export function isBusy(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

/**
 * Runs `attempt` (synchronous: one statement, or one whole transaction that
 * rolls back when it fails) until it does not fail busy, pausing between
 * attempts with timers so the event loop runs meanwhile; after `waitMs` the
 * last busy error is thrown. With `waitMs` 0 it is tried once.
 */
export async function retryWhileBusy<T>(attempt: () => T, waitMs: number): Promise<T> {
  const deadline = performance.now() + waitMs;
  for (let tries = 0; ; tries++) {
    try {
      return attempt();
    } catch (error) {
      const left = deadline - performance.now();
      if (!isBusy(error) || left <= 0) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, backoffDelay(tries, PAUSES))));
    }
  }
}
