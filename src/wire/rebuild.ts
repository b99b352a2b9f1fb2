import { z } from "zod";
import { describeError, summarizeIssues } from "../errors.js";
import { compareIds, type Goal } from "../model.js";
import { peekEntryKey } from "./entry-key.js";

/** An entry that could not be read, by its position in the list it came from. */
export interface SkippedEntry {
  /** Position in the palace's `listGoals` result or in the goals.json array. */
  index: number;
  /** Why it was skipped, for logs. */
  reason: string;
  /** The goal it names, when an id could be found in it. */
  goalId?: string;
}

/** The goals recovered from a list of stored entries. */
export interface RebuildResult {
  /** One goal per id, the newest revision of each, in id order. */
  goals: Goal[];
  /** Entries that failed to parse or validate. */
  skipped: SkippedEntry[];
  /** Superseded revisions dropped because a newer entry with the same id exists. */
  duplicates: number;
  /**
   * Goals not loaded because their newest entry is unreadable: loading the
   * older readable revision would silently undo the newer one (and build on
   * it). Their skipped entries carry the same `goalId`.
   */
  withheld: string[];
}

/**
 * Recovers one goal per id from stored entries. Unreadable entries are skipped,
 * never fatal: one corrupt entry must not hide every goal. When several entries
 * share an id the highest revision wins; ties go to the later `updated`, then to
 * the later entry in the list. An unreadable entry that names a goal and is (or
 * may be) newer than its readable entries withholds that goal.
 */
export function rebuildGoals<T>(entries: readonly T[], decode: (entry: T) => Goal): RebuildResult {
  const rebuild = new GoalRebuild(decode);
  for (let index = 0; index < entries.length; index++) {
    let entry: T;
    try {
      // A hostile list can throw from an element's getter.
      entry = entries[index] as T;
    } catch (error) {
      rebuild.addUnreadable(error);
      continue;
    }
    rebuild.add(entry);
  }
  return rebuild.result();
}

/**
 * {@link rebuildGoals} one entry at a time, for entries read as a stream: each
 * entry is decoded as it is added and only the goal (or, for an unreadable
 * one, its id and revision) is kept, so memory follows the goals, not the
 * entries.
 */
export class GoalRebuild<T> {
  readonly #decode: (entry: T) => Goal;
  readonly #newest = new Map<string, Goal>();
  readonly #skipped: SkippedEntry[] = [];
  readonly #unreadable: { goalId: string; revision: number | undefined; updated: number | undefined }[] = [];
  #duplicates = 0;
  #index = 0;

  /** @param decode turns one entry into a goal, throwing when it cannot. */
  constructor(decode: (entry: T) => Goal) {
    this.#decode = decode;
  }

  /** Decodes the next entry; one that fails is recorded as skipped (never throws). */
  add(entry: T): void {
    const index = this.#index++;
    let goal: Goal;
    try {
      goal = this.#decode(entry);
    } catch (error) {
      const key = peekEntryKey(entry);
      this.#skipped.push({ index, reason: describeFailure(error), ...(key === undefined ? {} : { goalId: key.goalId }) });
      if (key !== undefined) this.#unreadable.push(key);
      return;
    }
    const previous = this.#newest.get(goal.id);
    if (previous !== undefined) {
      this.#duplicates++;
      if (!isNewerOrSame(goal, previous)) return;
    }
    this.#newest.set(goal.id, goal);
  }

  /** Records that the next entry could not even be read (`error` says why). */
  addUnreadable(error: unknown): void {
    this.#skipped.push({ index: this.#index++, reason: describeFailure(error) });
  }

  /** The goals recovered from every entry added so far. */
  result(): RebuildResult {
    const newest = new Map(this.#newest);
    const withheld = new Set<string>();
    for (const key of this.#unreadable) {
      const loaded = newest.get(key.goalId);
      if (loaded !== undefined && mayBeNewer(key, loaded)) withheld.add(key.goalId);
    }
    for (const id of withheld) newest.delete(id);
    const goals = [...newest.values()].sort((a, b) => compareIds(a.id, b.id));
    return { goals, skipped: [...this.#skipped], duplicates: this.#duplicates, withheld: [...withheld].sort(compareIds) };
  }
}

/**
 * A plain copy of what `listGoals` returned, read defensively: an element whose
 * getter throws becomes that error, which decoding then reports as a skipped
 * entry. Throws when `value` is not an array (or its length cannot be read).
 */
export function copyEntries(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`listGoals returned ${typeof value}, not an array`);
  const length = value.length;
  const copy: unknown[] = new Array<unknown>(length);
  for (let index = 0; index < length; index++) {
    try {
      copy[index] = value[index];
    } catch (error) {
      copy[index] = error instanceof Error ? error : new Error(describeError(error));
    }
  }
  return copy;
}

function isNewerOrSame(candidate: Goal, incumbent: Goal): boolean {
  if (candidate.revision !== incumbent.revision) return candidate.revision > incumbent.revision;
  return candidate.updated.getTime() >= incumbent.updated.getTime();
}

// Unknown revision or `updated` count as possibly newer: withholding a goal is
// reported and recoverable, resurrecting an old revision is silent.
function mayBeNewer(key: { revision: number | undefined; updated: number | undefined }, loaded: Goal): boolean {
  if (key.revision === undefined) return true;
  if (key.revision !== loaded.revision) return key.revision > loaded.revision;
  return key.updated === undefined || key.updated >= loaded.updated.getTime();
}

function describeFailure(error: unknown): string {
  if (error instanceof z.ZodError) return summarizeIssues(error.issues);
  return describeError(error);
}
