import { chmod, lstat, mkdir, realpath } from "node:fs/promises";
import { dirname } from "node:path";

/** The folder is not safe to write goals.json in (internal; the cache reports it as `CACHE_IO`). */
export class UnsafeFolderError extends Error {
  /** `EUNSAFEFOLDER`, so the cause can be recognised like a system error. */
  readonly code = "EUNSAFEFOLDER";
}

// Group and others may neither list nor write: goals and evidence may be
// sensitive, and in a folder only its owner can write, nobody else can plant a
// file or symlink at write-file-atomic's predictable temp name.
const OPEN_TO_OTHERS = 0o077;
const WRITABLE_BY_EVERYONE = 0o002;
const STICKY = 0o1000;
const ROOT = 0;

/**
 * Makes sure `folder` exists, belongs to this process's effective user and is
 * private (0700), also when it existed before: wider permissions are narrowed.
 *
 * Owned by someone else, it is refused whatever its mode, as SSH refuses a
 * foreign `~/.ssh`: its owner can always write in it (chmod it back, plant a
 * symlink at a temp name, plant a goals.json that write-file-atomic would hand
 * back to them on every rewrite). The folders above it are checked too, since
 * whoever can write in one can swap `folder` for a folder of their own: each
 * must belong to this user or to root, and one writable by every user must be
 * sticky (as `/tmp` is). A folder writable by its group is accepted: systems
 * with a private group per user (umask 002) make such folders by default; its
 * group is trusted like its owner. Symbolic links are resolved first, so the
 * folders checked are the real ones. Nothing is checked where the platform
 * has no POSIX owners (Windows).
 * @throws {UnsafeFolderError} when the folder, or one above it, is not safe.
 * @throws the file-system error when it cannot be created or inspected.
 */
export async function ensurePrivateFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const uid = process.geteuid?.();
  if (uid === undefined) return;
  const stats = await lstat(folder);
  if (!stats.isDirectory()) throw new UnsafeFolderError(`${folder} is not a folder`);
  if (stats.uid !== uid) {
    throw new UnsafeFolderError(
      `${folder} is owned by uid ${stats.uid}, not by this process (uid ${uid}); its owner could replace what is ` +
        `written there, so goals.json is not written there: remove the folder (the store creates its own), ` +
        `make it yours (chown ${uid} ${folder}), or choose another cacheFile`,
    );
  }
  await ensureSafeAncestors(folder, uid);
  if ((stats.mode & OPEN_TO_OTHERS) !== 0) await chmod(folder, 0o700);
}

// Every folder above `folder` up to the file system's root.
async function ensureSafeAncestors(folder: string, uid: number): Promise<void> {
  let current = await realpath(folder);
  for (let parent = dirname(current); parent !== current; current = parent, parent = dirname(parent)) {
    const stats = await lstat(parent);
    if (stats.uid !== uid && stats.uid !== ROOT) {
      throw new UnsafeFolderError(
        `${parent}, a folder above ${folder}, is owned by uid ${stats.uid}, neither this process (uid ${uid}) nor root; ` +
          `its owner could swap ${folder} for a folder of their own, so goals.json is not written there: ` +
          `choose a data root (or cacheFile) in folders owned by you or by root`,
      );
    }
    if ((stats.mode & WRITABLE_BY_EVERYONE) !== 0 && (stats.mode & STICKY) === 0) {
      throw new UnsafeFolderError(
        `${parent}, a folder above ${folder}, is writable by every user and not sticky; anyone could swap ${folder} ` +
          `for a folder of their own, so goals.json is not written there: chmod o-w ${parent} (or +t), ` +
          `or choose a data root (or cacheFile) elsewhere`,
      );
    }
  }
}

/**
 * Refuses an existing goals.json (or any file at `path`) owned by another
 * user: write-file-atomic gives the new file the old one's owner, so every
 * rewrite would hand the goals to that user. A missing file is fine.
 * @throws {UnsafeFolderError} when `path` exists and belongs to someone else.
 */
export async function ensureOwnFile(path: string): Promise<void> {
  const uid = process.geteuid?.();
  if (uid === undefined) return;
  let owner: number;
  try {
    owner = (await lstat(path)).uid;
  } catch {
    return; // missing: write-file-atomic creates it as ours
  }
  if (owner !== uid) {
    throw new UnsafeFolderError(
      `${path} is owned by uid ${owner}, not by this process (uid ${uid}); rewriting it would give the goals to its ` +
        `owner, so it is not written: remove it (the store writes a new one) or make it yours (chown ${uid} ${path})`,
    );
  }
}
