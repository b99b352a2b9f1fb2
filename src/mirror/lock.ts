import { lock } from "proper-lockfile";

/**
 * Runs `task` while holding `<path>.lock`, so that several stores (processes)
 * mirroring to one goals.json write it one at a time. The lock is a folder
 * (created atomically) whose mtime the holder refreshes; one left by a process
 * that died is taken over once it is older than `staleMs`.
 */
export async function withFileLock<T>(path: string, task: () => Promise<T>, staleMs = 10_000): Promise<T> {
  const release = await lock(path, {
    realpath: false,
    lockfilePath: `${path}.lock`,
    stale: staleMs,
    // Wait for the holder (a write takes milliseconds) or for a dead holder's
    // lock to turn stale: about a minute of retries in all.
    retries: { retries: 2_000, minTimeout: 2, maxTimeout: 30, factor: 1.2 },
    // The default throws from a timer, which would crash the process. A lock
    // taken over while held means a write stalled for longer than `staleMs`;
    // the write itself is still atomic, and the next one merges again.
    onCompromised: () => {},
  });
  try {
    return await task();
  } finally {
    await release().catch(() => {});
  }
}
