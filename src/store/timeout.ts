/** A palace call that did not settle in time (internal: it becomes a `PalaceError`'s cause). */
export class PalaceTimeoutError extends Error {
  override readonly name = "PalaceTimeoutError";
}

/**
 * Settles like `call()`, or rejects with {@link PalaceTimeoutError} after `ms`.
 * A synchronous throw from `call` becomes a rejection. The late result of a
 * call that timed out is dropped (its rejection is caught, never unhandled).
 */
export async function withTimeout<T>(what: string, ms: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const pending = (async () => call())();
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PalaceTimeoutError(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([pending, expired]);
  } finally {
    clearTimeout(timer);
    pending.catch(() => {});
  }
}
