/**
 * Tells `goal-store watch` that the goals may have changed; watch then reads
 * them again and shows the difference. Today goals.json is watched on disk and
 * the SQLite palace is polled; a palace change feed plugs in here by
 * implementing this interface.
 */
export interface ChangeSource {
  /**
   * Starts reporting. `onChange` may be called more often than the goals
   * change (a spurious call costs one read), never less: every change is
   * followed by at least one call.
   * @returns a function that stops reporting and releases what was held.
   */
  start(onChange: () => void): () => void;
}
