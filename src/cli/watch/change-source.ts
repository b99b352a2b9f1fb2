/**
 * Tells `goal-store watch` that the goals may have changed; watch then reads
 * them again and shows the difference: goals.json is watched on disk, a
 * palace through its change feed.
 */
export interface ChangeSource {
  /**
   * Starts reporting. `onChange` may be called more often than the goals
   * change (a spurious call costs one read), never less: every change is
   * followed by at least one call.
   * @returns a function that stops reporting and releases what was held;
   *   a promise when releasing takes a round trip (closing a connection).
   */
  start(onChange: () => void): () => void | Promise<void>;
}
