import { chmod, lstat, mkdir } from "node:fs/promises";

/** The folder is not safe to write goals.json in (internal; the cache reports it as `CACHE_IO`). */
export class UnsafeFolderError extends Error {
  /** `EUNSAFEFOLDER`, so the cause can be recognised like a system error. */
  readonly code = "EUNSAFEFOLDER";
}

// Group and others may neither list nor write: goals and evidence may be
// sensitive, and in a folder only its owner can write, nobody else can plant a
// file or symlink at write-file-atomic's predictable temp name.
const OPEN_TO_OTHERS = 0o077;
const WRITABLE_BY_OTHERS = 0o022;

/**
 * Makes sure `folder` exists and is private (0700), also when it existed
 * before: a folder of ours with wider permissions is narrowed; one owned by
 * someone else is accepted only if nobody but its owner can write in it.
 * Modes are not checked where the platform has no POSIX owners (Windows).
 * @throws {UnsafeFolderError} when the folder is writable by others and is not ours to fix.
 * @throws the file-system error when it cannot be created or inspected.
 */
export async function ensurePrivateFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const stats = await lstat(folder);
  if (!stats.isDirectory()) throw new UnsafeFolderError(`${folder} is not a folder`);
  if ((stats.mode & OPEN_TO_OTHERS) === 0) return;
  if (stats.uid === uid) {
    await chmod(folder, 0o700);
    return;
  }
  if ((stats.mode & WRITABLE_BY_OTHERS) !== 0) {
    throw new UnsafeFolderError(
      `${folder} is writable by other users and owned by uid ${stats.uid}, not this process (uid ${uid}); ` +
        `goals.json is not written there: make it 0700 or choose another cacheFile`,
    );
  }
}
