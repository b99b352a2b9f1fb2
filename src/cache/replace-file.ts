import { constants } from "node:fs";
import { lstat, open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { UnsafeFolderError } from "./private-folder.js";

const NOTHING = Buffer.alloc(0);

/**
 * Replaces `path` with `chunks` (written in order) so that a reader, or a
 * crash, sees the old content or the new, never a mix. write-file-atomic does
 * the replace: a temp file beside `path`, fsync, chmod to exactly `mode`, rename
 * over `path`, and removal of the temp file on failure or exit. On top of it:
 *
 * - The bytes are written here, from write-file-atomic's `tmpfileCreated` hook,
 *   by a loop that resumes after a short write. write-file-atomic issues one
 *   write and ignores a short count; on a nearly full disk libuv reports the
 *   part it wrote without an error, and a truncated file would be renamed into
 *   place. Resuming makes the disk report `ENOSPC` (kept as the error's code),
 *   and write-file-atomic then removes the temp file and leaves `path` intact.
 *   write-file-atomic's own write gets no bytes; its fsync covers ours (fsync
 *   flushes the file, whichever descriptor wrote it).
 * - After the rename, the folder is fsynced so the rename survives a power cut.
 * - `path` being a symbolic link is refused: write-file-atomic would write
 *   through it (it resolves the real path) and replace whatever it points at.
 *
 * write-file-atomic opens a predictable temp name without `O_EXCL`; that is
 * safe only in a folder nobody else can write, which `ensurePrivateFolder` makes sure of.
 */
export async function replaceFile(path: string, chunks: readonly Uint8Array[], mode: number): Promise<void> {
  if (await isSymbolicLink(path)) {
    throw new UnsafeFolderError(`${path} is a symbolic link; goals.json is not written through links, remove it`);
  }
  await writeFileAtomic(path, NOTHING, {
    mode,
    fsync: true,
    // Typed as returning void, but write-file-atomic awaits it before its own
    // write and fsync (lib/index.js, the promise API this calls).
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    tmpfileCreated: (temp: string) => writeChunks(temp, chunks),
  });
  await syncFolder(dirname(path));
}

async function isSymbolicLink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}

async function writeChunks(temp: string, chunks: readonly Uint8Array[]): Promise<void> {
  // The temp file exists already (write-file-atomic created it, mode `mode`).
  const handle = await open(temp, constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    await writeAll(handle, chunks);
  } finally {
    await handle.close();
  }
}

// A short write is followed by another for the rest: either everything is
// written or the system reports why not (ENOSPC, EDQUOT, EIO) with its code.
async function writeAll(handle: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  let pending = chunks.filter((chunk) => chunk.byteLength > 0);
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending as Uint8Array[]);
    if (bytesWritten === 0) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
    pending = advance(pending, bytesWritten);
  }
}

function advance(chunks: readonly Uint8Array[], written: number): Uint8Array[] {
  let rest = written;
  let index = 0;
  while (index < chunks.length && rest >= (chunks[index] as Uint8Array).byteLength) {
    rest -= (chunks[index] as Uint8Array).byteLength;
    index++;
  }
  const remaining = chunks.slice(index);
  if (rest > 0 && remaining.length > 0) remaining[0] = (remaining[0] as Uint8Array).subarray(rest);
  return remaining;
}

async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Some platforms (Windows) and file systems cannot fsync a folder. The file
    // is already renamed and fsynced; goals.json is a cache the palace can rebuild.
  } finally {
    await handle?.close().catch(() => {});
  }
}
