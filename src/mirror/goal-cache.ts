import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { removeStrayTempFiles, writeFileAtomically } from "./atomic-file.js";
import { decodeGoal } from "../wire/codec.js";
import { CacheCorruptError, CacheIoError } from "../errors.js";
import { rebuildGoals, type RebuildResult } from "../wire/rebuild.js";

/** goals.json's path under a data root: `<dataRoot>/sm/goals.json`, the layout trusty-mpm uses. */
export function defaultCacheFile(dataRoot: string): string {
  return join(dataRoot, "sm", "goals.json");
}

/**
 * goals.json: a derived, human-readable mirror of every goal that other
 * processes (a TUI, a CLI) read without touching the palace. Written atomically
 * (an exclusively created temp file with a random name in the same folder,
 * fsync, rename, fsync of the folder), so a reader sees the old file or the new
 * one, never a torn one. The folder is created on first write with mode 0700 and
 * the file is 0600: goals and evidence may be sensitive.
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
   * error; invalid goals inside a valid array are skipped and reported.
   * @throws {CacheCorruptError} when the file is not a JSON array.
   * @throws {CacheIoError} when the file exists but cannot be read.
   */
  async read(): Promise<RebuildResult> {
    return rebuildGoals(await this.readEntries(), decodeGoal);
  }

  /**
   * The raw entries of goals.json, not yet validated.
   * @throws {CacheCorruptError} when the file is not a JSON array.
   * @throws {CacheIoError} when the file exists but cannot be read.
   */
  async readEntries(): Promise<unknown[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (cause) {
      if (isErrorCode(cause, "ENOENT")) return [];
      throw new CacheIoError(this.path, "read", cause);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new CacheCorruptError(this.path, "not valid JSON", cause);
    }
    if (!Array.isArray(parsed)) throw new CacheCorruptError(this.path, "not a JSON array");
    return parsed;
  }

  /**
   * Atomically replaces goals.json with already-rendered content: text, or UTF-8
   * chunks written in order with one gathered write.
   * @throws {CacheIoError} when the write fails; the old file is left intact.
   */
  async writeContent(content: string | readonly Uint8Array[]): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await writeFileAtomically(this.path, content, 0o600);
    } catch (cause) {
      throw new CacheIoError(this.path, "write", cause);
    }
  }

  /**
   * Removes temp files (`goals.json.<32 hex>.tmp`) left by a process that died
   * mid-write. {@link GoalStore.load} calls it; goals.json has one writer.
   * @returns how many were removed.
   */
  async removeStrayTempFiles(): Promise<number> {
    return removeStrayTempFiles(this.path);
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
