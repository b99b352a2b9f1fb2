import { dirname } from "node:path";
import { CacheIoError } from "../errors.js";
import { GoalCache } from "./goal-cache.js";
import { ensureOwnFile, ensurePrivateFolder } from "./private-folder.js";
import { replaceFile } from "./replace-file.js";
import { removeStrayTempFiles } from "./stray-temp.js";

/**
 * goals.json with what only the store's cache writer may do to it (internal:
 * the public {@link GoalCache} only reads). Written atomically with
 * write-file-atomic (temp file in the same folder, fsync, rename) and an fsync
 * of the folder, so a reader sees the old file or the new one, never a torn
 * one. The folder is 0700 and the file 0600, also when the folder existed
 * before (goals and evidence may be sensitive); a folder or a goals.json owned
 * by another user is refused, and so is a folder above it that another user
 * could swap (see `ensurePrivateFolder`).
 */
export class WritableGoalCache extends GoalCache {
  /**
   * Atomically replaces goals.json with already-rendered content: text, or UTF-8
   * chunks written in order with one gathered write. It does not take
   * `goals.json.lock`: the caller holds it, or goals.json has one writer.
   * @throws {CacheIoError} when the write fails; the old file is left intact.
   */
  async writeContent(content: string | readonly Uint8Array[]): Promise<void> {
    try {
      await ensurePrivateFolder(dirname(this.path));
      await ensureOwnFile(this.path);
      await replaceFile(this.path, typeof content === "string" ? [Buffer.from(content)] : content, 0o600);
    } catch (cause) {
      throw new CacheIoError(this.path, "write", cause);
    }
  }

  /**
   * Removes temp files left beside goals.json by a process that died mid-write
   * (write-file-atomic's `goals.json.<number>`, and the `goals.json.<32 hex>.tmp`
   * of earlier versions), only those untouched for `minAgeMs` (an hour by
   * default): a younger one may belong to another live store sharing goals.json.
   * The cache writer calls it with 0 before its first write, while it holds
   * `goals.json.lock` and so knows no other store is writing.
   * @returns how many were removed.
   */
  async removeStrayTempFiles(minAgeMs?: number): Promise<number> {
    return removeStrayTempFiles(this.path, minAgeMs);
  }
}
