/** How {@link backoffDelay} spreads the pauses of several retrying parties. */
export type Jitter =
  /** Anywhere from 0 to the delay: parties that collided spread out the most. */
  | "full"
  /** From half the delay to the delay: spread out, but never much sooner. */
  | "half"
  /** Exactly the delay: a lone party polling. */
  | "none";

/** The shape of a backoff: where it starts, where it stops growing, how it is jittered. */
export interface Backoff {
  /** The delay before the first retry (attempt 0), in ms; doubled per attempt. */
  readonly firstMs: number;
  /** The longest delay, in ms. */
  readonly maxMs: number;
  readonly jitter: Jitter;
}

// 2^30 times any useful first delay is past any useful maximum; capping the
// exponent keeps the product finite (0 * Infinity would be NaN).
const MAX_DOUBLINGS = 30;

/**
 * The pause before retry number `attempt` (0 for the first): `firstMs`
 * doubled per attempt up to `maxMs`, jittered. The one backoff of the
 * package, for every loop that retries something another party holds (a
 * goal another writer changed, goals.json.lock, a lost feed connection, a
 * server process that is going away).
 */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  const delay = Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(Math.max(attempt, 0), MAX_DOUBLINGS));
  switch (backoff.jitter) {
    case "full":
      return delay * Math.random();
    case "half":
      return delay * (0.5 + Math.random() / 2);
    case "none":
      return delay;
  }
}
