import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, readdir, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

// O_EXCL makes open fail on anything already at the name, a symlink included,
// so a file planted beside goals.json is never written through. O_NOFOLLOW is
// belt and braces where the platform has it (Windows does not).
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
const TEMP_SUFFIX = /^\.[0-9a-f]{32}\.tmp$/;

/**
 * The temporary name a write of `path` uses: `<path>.<32 random hex>.tmp`.
 * 128 random bits, so no other process can predict it.
 */
export function tempPathFor(path: string): string {
  return `${path}.${randomBytes(16).toString("hex")}.tmp`;
}

/**
 * Replaces `path` with `content` (text, or byte chunks written in one gathered
 * write) so that a reader (or a crash) sees the old content
 * or the new, never a mix: the text goes to a fresh temp file beside it (created
 * exclusively, mode `mode`), is fsynced, renamed over `path`, and the folder is
 * fsynced so the rename itself survives a power cut. On failure the temp file is
 * removed and `path` is untouched.
 *
 * write-file-atomic, which this replaces, opens a temp name derived from the pid
 * and a counter without O_EXCL, so a symlink planted at that name was followed.
 */
export async function writeFileAtomically(
  path: string,
  content: string | readonly Uint8Array[],
  mode: number,
): Promise<void> {
  const temp = tempPathFor(path);
  const handle = await open(temp, CREATE_NEW, mode);
  try {
    try {
      await writeAll(handle, content);
      // open's mode is filtered by the umask; fchmod sets it exactly, on the fd.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncFolder(dirname(path));
}

/**
 * Removes temp files that an earlier process left beside `path` when it died
 * mid-write. Only names this module generates are touched. Assumes one writer per
 * goals.json, as the store does.
 * @returns how many were removed.
 */
export async function removeStrayTempFiles(path: string): Promise<number> {
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
    if (!name.startsWith(prefix) || !TEMP_SUFFIX.test(name.slice(prefix.length))) continue;
    try {
      await unlink(join(folder, name));
      removed++;
    } catch {
      // Gone already, or not ours to remove: either way nothing to do.
    }
  }
  return removed;
}

async function writeAll(handle: FileHandle, content: string | readonly Uint8Array[]): Promise<void> {
  if (typeof content === "string") {
    await handle.writeFile(content, "utf8");
    return;
  }
  // libuv splits a long list at IOV_MAX and resumes after short writes, so one
  // call either writes everything or fails; check anyway rather than trust it.
  const expected = content.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const { bytesWritten } = await handle.writev(content as Uint8Array[]);
  if (bytesWritten !== expected) throw new Error(`short write: ${bytesWritten} of ${expected} bytes`);
}

async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Some platforms (Windows) and file systems cannot fsync a folder. The file
    // is already renamed and fsynced; goals.json is a mirror the palace can rebuild.
  } finally {
    await handle?.close().catch(() => {});
  }
}
