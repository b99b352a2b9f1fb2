import { dirname, join } from "node:path";
import { decodeGoal } from "../wire/codec.js";
import { CacheCorruptError, CacheIoError } from "../errors.js";
import { GoalRebuild, type RebuildResult } from "../wire/rebuild.js";
import { DEFAULT_LIMITS, maxStoredEntryBytes, type GoalLimits } from "../store/limits.js";
import { boundedDecoder } from "../store/bounded-decode.js";
import { forEachJsonArrayElement, NotAJsonArrayError } from "./json-array-stream.js";
import { ensureOwnFile, ensurePrivateFolder } from "./private-folder.js";
import { replaceFile } from "./replace-file.js";
import { removeStrayTempFiles } from "./stray-temp.js";

/** goals.json's path under a data root: `<dataRoot>/sm/goals.json`, the layout trusty-mpm uses. */
export function defaultCacheFile(dataRoot: string): string {
  return join(dataRoot, "sm", "goals.json");
}

/**
 * goals.json: a derived, human-readable mirror of every goal that other
 * processes (a TUI, a CLI) read without touching the palace. Written atomically
 * with write-file-atomic (temp file in the same folder, fsync, rename) and an
 * fsync of the folder, so a reader sees the old file or the new one, never a
 * torn one. The folder is 0700 and the file 0600, also when the folder existed
 * before (goals and evidence may be sensitive); a folder or a goals.json owned
 * by another user is refused, and so is a folder above it that another user
 * could swap (see `ensurePrivateFolder`). Read as a stream, element by element, so a
 * goals.json of any size can be read back.
 *
 * @example
 * ```ts
 * const cache = new GoalCache(defaultCacheFile("/var/lib/orchestrator"));
 * const { goals } = await cache.read();
 * ```
 */
export class GoalCache {
  /** The goals.json path. */
  readonly path: string;

  /**
   * A handle on goals.json; no I/O happens until a read or write.
   * @param path goals.json's path; see {@link defaultCacheFile}.
   */
  constructor(path: string) {
    this.path = path;
  }

  /**
   * Reads and decodes goals.json. A missing file is an empty mirror, not an
   * error; invalid goals inside a valid array, and goals over `limits.goalSize`,
   * are skipped and reported.
   * @param limits the bound on one goal's size; {@link DEFAULT_LIMITS} when omitted.
   * @throws {CacheCorruptError} when the file is not a JSON array.
   * @throws {CacheIoError} when the file exists but cannot be read.
   */
  async read(limits: Pick<GoalLimits, "goalSize"> = DEFAULT_LIMITS): Promise<RebuildResult> {
    // Each element is decoded as soon as it is read and only the goal kept: a
    // parsed element can take 30 times its bytes (nested arrays), so keeping
    // them all to the end made memory follow the file (issue 19.11).
    const rebuild = new GoalRebuild(boundedDecoder(decodeGoal, limits));
    await this.#forEachEntry(limits, (entry) => rebuild.add(entry));
    return rebuild.result();
  }

  /**
   * The raw entries of goals.json, not yet validated. An element too large to
   * be a goal within `limits.goalSize` is not buffered: it stands as an
   * `OversizedElement`.
   * @throws {CacheCorruptError} when the file is not a JSON array.
   * @throws {CacheIoError} when the file exists but cannot be read.
   */
  async readEntries(limits: Pick<GoalLimits, "goalSize"> = DEFAULT_LIMITS): Promise<unknown[]> {
    const entries: unknown[] = [];
    await this.#forEachEntry(limits, (entry) => entries.push(entry));
    return entries;
  }

  // Every element of goals.json, in order; a missing file has none.
  async #forEachEntry(limits: Pick<GoalLimits, "goalSize">, visit: (entry: unknown) => void): Promise<void> {
    try {
      await forEachJsonArrayElement(this.path, maxStoredEntryBytes(limits), visit);
    } catch (cause) {
      if (cause instanceof NotAJsonArrayError) throw new CacheCorruptError(this.path, cause.message, cause.cause);
      if (isErrorCode(cause, "ENOENT")) return;
      throw new CacheIoError(this.path, "read", cause);
    }
  }

  /**
   * Atomically replaces goals.json with already-rendered content: text, or UTF-8
   * chunks written in order with one gathered write.
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
   * A store calls it with 0 before its first write, while it holds
   * `goals.json.lock` and so knows no other store is writing.
   * @returns how many were removed.
   */
  async removeStrayTempFiles(minAgeMs?: number): Promise<number> {
    return removeStrayTempFiles(this.path, minAgeMs);
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
