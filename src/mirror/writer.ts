import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import { CacheIoError, GoalStoreError } from "../errors.js";
import type { Goal } from "../model.js";
import { callContained } from "../store/callbacks.js";
import { decodeGoal } from "../wire/codec.js";
import type { GoalCache } from "./goal-cache.js";
import type { GoalIndex } from "./goal-index.js";
import { withFileLock } from "./lock.js";
import { ensurePrivateFolder } from "./private-folder.js";

// What identifies one version of goals.json: a rename gives a new inode.
interface FileVersion {
  ino: number;
  size: number;
  mtimeMs: number;
}

/**
 * Keeps goals.json following the committed state: commits only bump a counter;
 * one write is in flight at a time and always renders the newest committed
 * state, so a burst of N commits costs a couple of writes, not N, and between
 * background writes it rests as long as the last one took. A failed write is
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
  // Goals another store wrote to goals.json, newer than this store's index.
  readonly #foreign = new Map<string, Goal>();
  #lastWritten: FileVersion | undefined;
  #swept = false;
  readonly #onError: (error: GoalStoreError) => void;
  #committed = 0;
  #written = 0;
  #inFlight: Promise<GoalStoreError | undefined> | undefined;
  // Between background writes the mirror rests as long as the last write took,
  // so that at 10,000 goals rewriting goals.json takes at most about half the
  // time and commits keep the event loop. A flush ends the rest at once.
  #endRest: (() => void) | undefined;
  #flushes = 0;
  // Writes are numbered as they start, so a flush can tell a failure of its own
  // write from one of a write that began before it was called.
  #writesStarted = 0;
  #lastFailedWrite = 0;

  constructor(cache: GoalCache, index: GoalIndex, onError: (error: GoalStoreError) => void) {
    this.#cache = cache;
    this.#index = index;
    this.#onError = onError;
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
      const target = this.#committed;
      const started = performance.now();
      const writeNumber = ++this.#writesStarted;
      try {
        await this.#write();
        this.#written = target;
        if (this.#written < this.#committed && this.#flushes === 0) await this.#rest(performance.now() - started);
      } catch (cause) {
        this.#lastFailedWrite = writeNumber;
        const error = cause instanceof GoalStoreError ? cause : new CacheIoError(this.#cache.path, "write", cause);
        // A throwing or rejecting listener must not turn a reported failure into a crash.
        callContained("onCacheError", "GOAL_STORE_CACHE_ERROR_LISTENER", () => this.#onError(error));
        return error;
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
      if (!this.#swept) {
        // Under the lock no other store is between creating and renaming a
        // temp file, so any temp file here is a dead writer's, whatever its age.
        await this.#cache.removeStrayTempFiles(0);
        this.#swept = true;
      }
      const found = await version(path);
      if (found !== undefined && !sameVersion(found, this.#lastWritten)) await this.#mergeForeign();
      for (const [id, goal] of this.#foreign) {
        if ((this.#index.get(id)?.revision ?? -1) >= goal.revision) this.#foreign.delete(id);
      }
      await this.#cache.writeContent(this.#index.renderCache(this.#foreign));
      this.#lastWritten = await version(path);
    }).catch((cause: unknown) => {
      throw cause instanceof GoalStoreError ? cause : new CacheIoError(path, "write", cause);
    });
  }

  // Keeps what another store wrote that this one does not know yet. An
  // unreadable file is simply replaced: the palace holds the truth.
  async #mergeForeign(): Promise<void> {
    let entries: unknown[];
    try {
      entries = await this.#cache.readEntries();
    } catch {
      return;
    }
    for (const entry of entries) {
      let goal: Goal;
      try {
        goal = decodeGoal(entry);
      } catch {
        continue;
      }
      const known = Math.max(this.#index.get(goal.id)?.revision ?? -1, this.#foreign.get(goal.id)?.revision ?? -1);
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

function sameVersion(a: FileVersion, b: FileVersion | undefined): boolean {
  return b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
