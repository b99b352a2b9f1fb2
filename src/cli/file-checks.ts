import { open, stat } from "node:fs/promises";
import type { Stats } from "node:fs";

/**
 * Why `path` cannot be read as a data file, or undefined when it is a regular
 * file. Checked with stat before any open: opening a FIFO blocks until a
 * writer appears, which hung `goal-store list` forever.
 */
export async function notARegularFile(path: string): Promise<string | undefined> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "file not found";
    return `cannot be examined: ${(error as Error).message}`;
  }
  if (info.isFile()) return undefined;
  return `is ${kindOf(info)}, not a regular file; refusing to read it`;
}

const SQLITE_HEADER = "SQLite format 3\0";

/**
 * Why `path` is not a SQLite database, or undefined when its header says it is.
 * Call after {@link notARegularFile}.
 */
export async function notSqlite(path: string): Promise<string | undefined> {
  const handle = await open(path, "r");
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(SQLITE_HEADER.length), 0, SQLITE_HEADER.length, 0);
    if (bytesRead === 0) return "is empty (0 bytes), not a goal-store SQLite palace";
    if (buffer.toString("latin1", 0, bytesRead) !== SQLITE_HEADER) return "is not a SQLite database, so not a goal-store palace";
    return undefined;
  } finally {
    await handle.close();
  }
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  return "not a regular file";
}
