import { lstat, readdir, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * How old a temp file must be before {@link removeStrayTempFiles} deletes it.
 * A write takes milliseconds to seconds, so an hour-old temp file belongs to a
 * writer that died mid-write. The default for callers that do not hold
 * `goals.json.lock`; the store's cache writer holds it and sweeps at any age.
 */
const STRAY_TEMP_AGE_MS = 60 * 60 * 1000;

// write-file-atomic names its temp file `<path>.<uint32 in decimal>` (a hash of
// the pid, thread id and a counter); the writer this library used before it
// named them `<path>.<32 hex>.tmp`. Both are swept, nothing else.
// The lock's owner draft (`goals.json.lock.<32 hex>.tmp`) is left when a
// process dies between writing and linking it; a takeover claim
// (`goals.json.lock.<32 hex>.takeover`, see lock.ts) and its draft when one dies
// while taking over a dead holder's lock. A claim on a lock that is gone guards
// nothing, and while the sweeper holds the lock every other lock is gone.
const TEMP_SUFFIXES = [
  /^\.\d{1,10}$/,
  /^\.[0-9a-f]{32}\.tmp$/,
  /^\.lock\.[0-9a-f]{32}\.tmp$/,
  /^\.lock(\.[0-9a-f]{32}\.takeover)+(\.[0-9a-f]{32}\.tmp)?$/,
];

/**
 * Removes temp files that a process left beside `path` when it died mid-write:
 * only regular files with one of the temp names used for `path`, and only when
 * last modified at least `minAgeMs` ago.
 * @returns how many were removed.
 */
export async function removeStrayTempFiles(path: string, minAgeMs = STRAY_TEMP_AGE_MS, now = Date.now()): Promise<number> {
  const folder = dirname(path);
  const prefix = basename(path);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const suffix = name.slice(prefix.length);
    if (!name.startsWith(prefix) || !TEMP_SUFFIXES.some((pattern) => pattern.test(suffix))) continue;
    const stray = join(folder, name);
    try {
      const stats = await lstat(stray);
      if (!stats.isFile() || now - stats.mtimeMs < minAgeMs) continue;
      await unlink(stray);
      removed++;
    } catch {
      // Gone already (its writer finished), or not ours to remove.
    }
  }
  return removed;
}
