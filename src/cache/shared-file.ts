import { readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { CacheIoError, GoalStoreError } from "../errors.js";
import type { Goal } from "../model.js";
import { decodeGoal } from "../wire/codec.js";
import { peekEntryKey } from "../wire/entry-key.js";
import type { GoalLimits } from "../wire/limits.js";
import { withFileLock } from "./lock.js";
import { ensurePrivateFolder } from "./private-folder.js";
import { RENDER_SLICE_MS, RenderedGoals, type CommittedGoalsView } from "./rendered-goals.js";
import type { WritableGoalCache } from "./writable-goal-cache.js";

// What identifies one version of goals.json: a rename gives a new inode.
interface FileVersion {
  ino: number;
  size: number;
  mtimeMs: number;
}

/**
 * goals.json as several stores on one host share it. Each write holds
 * `goals.json.lock`; when the file is not the one this store last wrote,
 * another store wrote it, so it is read first and every goal it holds at a
 * newer revision than this store knows (or that this store does not know) is
 * kept in the output. goals.json therefore never goes backwards, and temp
 * files are only swept by the lock's holder, when no other store is writing.
 */
export class SharedCacheFile {
  readonly #cache: WritableGoalCache;
  readonly #limits: Pick<GoalLimits, "goalSize">;
  readonly #rendered = new RenderedGoals();
  // Goals another store wrote to goals.json, newer than this store's committed goals.
  readonly #foreign = new Map<string, Goal>();
  #lastWritten: FileVersion | undefined;
  #swept = false;
  // Set after a load found goals.json present: the next write compares it with
  // the committed goals and leaves it alone when it already matches (a restart).
  #checkFirst = false;

  /**
   * @param limits the store's: goals another store wrote are read back under
   *   them, so a goal this store may hold is never dropped as oversized.
   */
  constructor(cache: WritableGoalCache, limits: Pick<GoalLimits, "goalSize">) {
    this.#cache = cache;
    this.#limits = limits;
  }

  /** Whether goals.json exists now. */
  async exists(): Promise<boolean> {
    return (await version(this.#cache.path)) !== undefined;
  }

  /** Makes the next write compare goals.json with the goals first and leave it alone when it matches. */
  checkBeforeNextWrite(): void {
    this.#checkFirst = true;
  }

  /**
   * Sweeps dead writers' temp files under the lock, once per store. A failure
   * is left to the next write, which takes the lock again, sweeps and reports.
   */
  async sweep(): Promise<void> {
    try {
      // The lock and the sweep work in goals.json's folder: it must be safe first.
      await ensurePrivateFolder(dirname(this.#cache.path));
      await withFileLock(this.#cache.path, () => this.#sweepOnce());
    } catch {
      // See above.
    }
  }

  /**
   * Replaces goals.json with `goals` plus what other stores wrote that is newer.
   * @throws {CacheIoError} when the folder, the lock or the write fails; the old file is left intact.
   */
  async write(goals: CommittedGoalsView): Promise<void> {
    const path = this.#cache.path;
    try {
      // The lock file lives beside goals.json: the folder must be ours first.
      await ensurePrivateFolder(dirname(path));
      await withFileLock(path, () => this.#writeLocked(goals));
    } catch (cause) {
      throw cause instanceof GoalStoreError ? cause : new CacheIoError(path, "write", cause);
    }
  }

  async #writeLocked(goals: CommittedGoalsView): Promise<void> {
    const path = this.#cache.path;
    await this.#sweepOnce();
    const found = await version(path);
    const checkFirst = this.#checkFirst;
    this.#checkFirst = false;
    if (checkFirst && found !== undefined && this.#foreign.size === 0) {
      const content = await this.#rendered.render(goals);
      if (await holds(path, found, content)) {
        this.#lastWritten = found;
        return;
      }
    }
    if (found !== undefined && !sameVersion(found, this.#lastWritten)) await this.#mergeForeign(goals);
    for (const [id, goal] of this.#foreign) {
      if ((goals.get(id)?.revision ?? -1) >= goal.revision) this.#foreign.delete(id);
    }
    await this.#cache.writeContent(await this.#rendered.render(goals, this.#foreign));
    this.#lastWritten = await version(path);
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
  async #mergeForeign(goals: CommittedGoalsView): Promise<void> {
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
      const known = Math.max(goals.get(key.goalId)?.revision ?? -1, this.#foreign.get(key.goalId)?.revision ?? -1);
      if (key.revision !== undefined && key.revision <= known) continue;
      let goal: Goal;
      try {
        // Not bounded by goalSize: dropping a goal another store (with higher
        // limits) wrote would make goals.json go backwards.
        goal = decodeGoal(entry);
      } catch {
        continue;
      }
      if (goal.revision > known) this.#foreign.set(goal.id, goal);
    }
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
