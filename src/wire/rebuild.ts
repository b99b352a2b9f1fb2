import { z } from "zod";
import { summarizeIssues } from "../errors.js";
import { compareIds, type Goal } from "../model.js";

/** An entry that could not be read, by its position in the list it came from. */
export interface SkippedEntry {
  /** Position in the palace's `listGoals` result or in the goals.json array. */
  index: number;
  /** Why it was skipped, for logs. */
  reason: string;
}

/** The goals recovered from a list of stored entries. */
export interface RebuildResult {
  /** One goal per id, the newest revision of each, in id order. */
  goals: Goal[];
  /** Entries that failed to parse or validate. */
  skipped: SkippedEntry[];
  /** Superseded revisions dropped because a newer entry with the same id exists. */
  duplicates: number;
}

/**
 * Recovers one goal per id from stored entries. Unreadable entries are skipped,
 * never fatal: one corrupt entry must not hide every goal. When several entries
 * share an id the highest revision wins; ties go to the later `updated`, then to
 * the later entry in the list.
 */
export function rebuildGoals<T>(entries: readonly T[], decode: (entry: T) => Goal): RebuildResult {
  const newest = new Map<string, Goal>();
  const skipped: SkippedEntry[] = [];
  let duplicates = 0;
  entries.forEach((entry, index) => {
    let goal: Goal;
    try {
      goal = decode(entry);
    } catch (error) {
      skipped.push({ index, reason: describeFailure(error) });
      return;
    }
    const previous = newest.get(goal.id);
    if (previous !== undefined) {
      duplicates++;
      if (!isNewerOrSame(goal, previous)) return;
    }
    newest.set(goal.id, goal);
  });
  const goals = [...newest.values()].sort((a, b) => compareIds(a.id, b.id));
  return { goals, skipped, duplicates };
}

function isNewerOrSame(candidate: Goal, incumbent: Goal): boolean {
  if (candidate.revision !== incumbent.revision) return candidate.revision > incumbent.revision;
  return candidate.updated.getTime() >= incumbent.updated.getTime();
}

function describeFailure(error: unknown): string {
  if (error instanceof z.ZodError) return summarizeIssues(error.issues);
  return error instanceof Error ? error.message : String(error);
}
