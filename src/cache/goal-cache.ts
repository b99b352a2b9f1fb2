import { join } from "node:path";
import { decodeGoal } from "../wire/codec.js";
import { CacheCorruptError, CacheIoError, hasCode } from "../errors.js";
import { GoalRebuild, type RebuildResult } from "../wire/rebuild.js";
import { DEFAULT_LIMITS, maxStoredEntryBytes, type GoalLimits } from "../wire/limits.js";
import { boundedDecoder } from "../wire/bounded-decode.js";
import { forEachJsonArrayElement, NotAJsonArrayError } from "../wire/json-array-stream.js";

/** goals.json's path under a data root: `<dataRoot>/sm/goals.json`, the layout trusty-mpm uses. */
export function defaultCacheFile(dataRoot: string): string {
  return join(dataRoot, "sm", "goals.json");
}

/**
 * A reader of goals.json: the derived, human-readable cache of every goal
 * that other processes (a TUI, a CLI) read without touching the palace. A
 * store writes it atomically (a reader sees the old file or the new one, never
 * a torn one); this class only reads, as a stream, element by element, so a
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
   * A handle on goals.json; no I/O happens until a read.
   * @param path goals.json's path; see {@link defaultCacheFile}.
   */
  constructor(path: string) {
    this.path = path;
  }

  /**
   * Reads and decodes goals.json. A missing file is an empty cache, not an
   * error; invalid goals inside a valid array, and goals over `limits.goalSize`,
   * are skipped and reported.
   * @param limits the bound on one goal's size; {@link DEFAULT_LIMITS} when omitted.
   * @throws {CacheCorruptError} when the file is not a JSON array.
   * @throws {CacheIoError} when the file exists but cannot be read.
   */
  async read(limits: Pick<GoalLimits, "goalSize"> = DEFAULT_LIMITS): Promise<RebuildResult> {
    // Each element is decoded as soon as it is read and only the goal kept: a
    // parsed element can take 30 times its bytes (nested arrays), so keeping
    // them all to the end made memory follow the file, not its largest goal.
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
      if (hasCode(cause, "ENOENT")) return;
      throw new CacheIoError(this.path, "read", cause);
    }
  }
}
