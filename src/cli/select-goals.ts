import type { Goal, GoalStatus } from "../index.js";
import type { SortKey } from "./args.js";

/**
 * The goals to show, filtered by status and sorted: by id, newest first by
 * `updated` or `created`, highest first by `progress`. `goals` come in id
 * order (every source reads them so) and the sort is stable, so ties stay in
 * id order and the order is the same across runs.
 */
export function selectGoals(goals: readonly Goal[], statuses: readonly GoalStatus[] | undefined, sort: SortKey): Goal[] {
  const wanted = statuses === undefined ? undefined : new Set(statuses);
  const kept = wanted === undefined ? [...goals] : goals.filter((goal) => wanted.has(goal.status));
  const key = KEYS[sort];
  return kept.sort((a, b) => key(b) - key(a));
}

// Larger keys sort first; the id order is the tie-break, so "id" has no key.
const KEYS: Readonly<Record<SortKey, (goal: Goal) => number>> = {
  id: () => 0,
  updated: (goal) => goal.updated.getTime(),
  created: (goal) => goal.created.getTime(),
  progress: (goal) => goal.progress,
};
