import { readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { CacheIoError, GoalStoreError } from "../errors.js";
import type { Goal } from "../model.js";
import { callContained } from "../store/callbacks.js";
import { DEFAULT_LIMITS, type GoalLimits } from "../store/limits.js";
import { decodeGoal } from "../wire/codec.js";
import { peekEntryKey } from "../wire/entry-key.js";
import type { GoalCache } from "./goal-cache.js";
import { RENDER_SLICE_MS, type GoalIndex } from "./goal-index.js";
import { withFileLock } from "./lock.js";
import { ensurePrivateFolder } from "./private-folder.js";

// What identifies one version of goals.json: a rename gives a new inode.
interface FileVersion {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** The default least time between two background goals.json writes, in ms. */
export const DEFAULT_MIRROR_INTERVAL_MS = 500;

/**
 * Keeps goals.json following the committed state: commits only bump a counter;
 * one write is in flight at a time and always renders the newest committed
 * state, so a burst of N commits costs a couple of writes, not N. goals.json
 * is rewritten whole (it must stay one complete, atomically replaced array), so
 * what bounds the bytes written is how often: after each background write the
 * mirror rests `minIntervalMs` (and at least as long as that write took) before
 * the next, so at 10,000 goals under sustained load it writes about 1.6 times a
 * second instead of 35, and goals.json is at most about `minIntervalMs` plus two
 * writes behind. `flush` (and so `dispose`) ends the rest at once. With nothing
 * committed since the last write, nothing is written. A failed write is
 * reported and left for the next commit (or `flush`) to retry.
 *
 * Several stores may mirror to one goals.json. Each write holds
 * `goals.json.lock`; when the file is not the one this store last wrote,
 * another store wrote it, so it is read first and every goal it holds at a
 * newer revision than this store knows (or that this store does not know) is
 * kept in the output. goals.json therefore never goes backwards, and temp
 * files are only swept by the lock's holder, when no other store is writing.
 */
export class CacheMirror {
  readonly #cache: GoalCache;
  readonly #index: GoalIndex;
  readonly #limits: Pick<GoalLimits, "goalSize">;
  // Goals another store wrote to goals.json, newer than this store's index.
  readonly #foreign = new Map<string, Goal>();
  #lastWritten: FileVersion | undefined;
  #swept = false;
  readonly #onError: (error: GoalStoreError) => void;
  #committed = 0;
  #written = 0;
  #inFlight: Promise<GoalStoreError | undefined> | undefined;
  readonly #minIntervalMs: number;
  // performance.now() before which no background write starts; a flush ends the rest at once.
  #nextAllowed = 0;
  #endRest: (() => void) | undefined;
  // Set after a load found goals.json present: the first write compares it with
  // the index and leaves it alone when it already matches (a restart).
  #checkFirst = false;
  #flushes = 0;
  // Writes are numbered as they start, so a flush can tell a failure of its own
  // write from one of a write that began before it was called.
  #writesStarted = 0;
  #lastFailedWrite = 0;

  /**
   * @param minIntervalMs least time between the end of a background write and
   *   the start of the next; see {@link DEFAULT_MIRROR_INTERVAL_MS}.
   * @param limits the store's: goals another store wrote are read back under
   *   them, so a goal this store may hold is never dropped as oversized.
   */
  constructor(
    cache: GoalCache,
    index: GoalIndex,
    onError: (error: GoalStoreError) => void,
    minIntervalMs: number = DEFAULT_MIRROR_INTERVAL_MS,
    limits: Pick<GoalLimits, "goalSize"> = DEFAULT_LIMITS,
  ) {
    this.#cache = cache;
    this.#index = index;
    this.#onError = onError;
    this.#minIntervalMs = minIntervalMs;
    this.#limits = limits;
  }

  /** Records a commit and starts a background write if none is running. */
  changed(): void {
    this.#committed++;
    // The drain reports its own failures (onError), so its promise never rejects.
    void this.#start();
  }

  /** Records a change without writing; the next `flush` (or commit) writes it. */
  invalidate(): void {
    this.#committed++;
  }

  /**
   * After a load filled the index: when goals.json is missing, writes it now
   * and returns the error if that fails (load reports it as `cacheError`). When
   * it exists (a restart), returns at once: a background write compares it with
   * the index and rewrites it only if it differs, reporting a failure through
   * `onCacheError` only. Rendering and comparing 100,000 goals would otherwise
   * double the time a load takes for nothing.
   */
  async reconcile(): Promise<GoalStoreError | undefined> {
    this.#committed++;
    if (await version(this.#cache.path) === undefined) {
      try {
        await this.flush();
      } catch (error) {
        return error as GoalStoreError;
      }
      return undefined;
    }
    // Dead writers' temp files still go before load resolves, as when it wrote:
    // a readdir under the lock, cheap next to a rewrite.
    try {
      // The lock and the sweep work in goals.json's folder: it must be safe first.
      await ensurePrivateFolder(dirname(this.#cache.path));
      await withFileLock(this.#cache.path, () => this.#sweepOnce());
    } catch {
      // The background write below takes the lock again, sweeps, and reports.
    }
    this.#checkFirst = true;
    void this.#start();
    return undefined;
  }

  /**
   * Resolves once goals.json reflects every commit recorded before the call,
   * writing if it is behind (also after an earlier failed write).
   * @throws {CacheIoError} the error of the write that left it behind.
   */
  async flush(): Promise<void> {
    const target = this.#committed;
    const firstOwnWrite = this.#writesStarted + 1;
    this.#flushes++;
    try {
      while (this.#written < target) {
        this.#endRest?.();
        // Join the write in flight, or start one. The answer is a write that
        // started after this call: if it fails while the file is still behind
        // `target`, reject with its error. An older write that failed (say,
        // while the disk was being repaired) is retried; one that succeeded but
        // started before some commit loops for another.
        const error = await (this.#inFlight ?? this.#start());
        if (error !== undefined && this.#written < target && this.#lastFailedWrite >= firstOwnWrite) throw error;
      }
    } finally {
      this.#flushes--;
    }
  }

  #start(): Promise<GoalStoreError | undefined> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const run = this.#drain();
    this.#inFlight = run;
    void run.then((error) => {
      this.#inFlight = undefined;
      // A commit can land after the drain's last check but before this callback;
      // it saw a write in flight and did not start one, so start it here. After a
      // failure, wait for the next commit or flush instead of spinning on it.
      if (error === undefined && this.#written < this.#committed) void this.#start();
    });
    return run;
  }

  async #drain(): Promise<GoalStoreError | undefined> {
    while (this.#written < this.#committed) {
      const wait = this.#nextAllowed - performance.now();
      if (wait > 0 && this.#flushes === 0) {
        await this.#rest(wait);
        continue;
      }
      const target = this.#committed;
      const started = performance.now();
      const writeNumber = ++this.#writesStarted;
      try {
        await this.#write();
        this.#written = target;
      } catch (cause) {
        this.#lastFailedWrite = writeNumber;
        const error = cause instanceof GoalStoreError ? cause : new CacheIoError(this.#cache.path, "write", cause);
        // A throwing or rejecting listener must not turn a reported failure into a crash.
        callContained("onCacheError", "GOAL_STORE_CACHE_ERROR_LISTENER", () => this.#onError(error));
        return error;
      } finally {
        // Also after a failure: a failing disk is not retried in a tight loop.
        const now = performance.now();
        this.#nextAllowed = now + Math.max(this.#minIntervalMs, now - started);
      }
    }
    return undefined;
  }

  async #write(): Promise<void> {
    const path = this.#cache.path;
    try {
      // The lock file lives beside goals.json: the folder must be ours first.
      await ensurePrivateFolder(dirname(path));
    } catch (cause) {
      throw new CacheIoError(path, "write", cause);
    }
    await withFileLock(path, async () => {
      await this.#sweepOnce();
      const found = await version(path);
      const checkFirst = this.#checkFirst;
      this.#checkFirst = false;
      if (checkFirst && found !== undefined && this.#foreign.size === 0) {
        const content = await this.#index.renderCache();
        if (await holds(path, found, content)) {
          this.#lastWritten = found;
          return;
        }
      }
      if (found !== undefined && !sameVersion(found, this.#lastWritten)) await this.#mergeForeign();
      for (const [id, goal] of this.#foreign) {
        if ((this.#index.get(id)?.revision ?? -1) >= goal.revision) this.#foreign.delete(id);
      }
      await this.#cache.writeContent(await this.#index.renderCache(this.#foreign));
      this.#lastWritten = await version(path);
    }).catch((cause: unknown) => {
      throw cause instanceof GoalStoreError ? cause : new CacheIoError(path, "write", cause);
    });
  }

  // Only under the lock: then no other store is between creating and renaming
  // a temp file, so any temp file here is a dead writer's, whatever its age.
  async #sweepOnce(): Promise<void> {
    if (this.#swept) return;
    await this.#cache.removeStrayTempFiles(0);
    this.#swept = true;
  }

  // Keeps what another store wrote that this one does not know yet. An
  // unreadable file is simply replaced: the palace holds the truth.
  async #mergeForeign(): Promise<void> {
    let entries: unknown[];
    try {
      entries = await this.#cache.readEntries(this.#limits);
    } catch {
      return;
    }
    for (const entry of entries) {
      // Most entries are goals this store holds at the same revision: the key
      // alone says so, without decoding the goal.
      const key = peekEntryKey(entry);
      if (key === undefined) continue;
      const known = Math.max(this.#index.get(key.goalId)?.revision ?? -1, this.#foreign.get(key.goalId)?.revision ?? -1);
      if (key.revision !== undefined && key.revision <= known) continue;
      let goal: Goal;
      try {
        goal = decodeGoal(entry);
      } catch {
        continue;
      }
      if (goal.revision > known) this.#foreign.set(goal.id, goal);
    }
  }

  #rest(milliseconds: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(finish, milliseconds);
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#endRest = finish;
    }).finally(() => {
      this.#endRest = undefined;
    });
  }
}

async function version(path: string): Promise<FileVersion | undefined> {
  try {
    const { ino, size, mtimeMs } = await stat(path);
    return { ino, size, mtimeMs };
  } catch {
    return undefined;
  }
}

// Whether the file at `path`, as `found` describes it, holds exactly `content`.
async function holds(path: string, found: FileVersion, content: readonly Buffer[]): Promise<boolean> {
  let size = 0;
  for (const chunk of content) size += chunk.byteLength;
  if (size !== found.size) return false;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return false;
  }
  if (bytes.byteLength !== size) return false;
  let offset = 0;
  let sliceStart = performance.now();
  for (const chunk of content) {
    if (!chunk.equals(bytes.subarray(offset, offset + chunk.byteLength))) return false;
    offset += chunk.byteLength;
    if (performance.now() - sliceStart > RENDER_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  return true;
}

function sameVersion(a: FileVersion, b: FileVersion | undefined): boolean {
  return b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
