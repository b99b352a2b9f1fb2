import type { Goal } from "../index.js";

/** The goal an id or id prefix names: exactly one, none, or the ambiguous matches. */
export type GoalMatch = { goal: Goal } | { candidates: Goal[] };

/** Finds the goal `idOrPrefix` names; an exact id wins over longer ids it prefixes. */
export function findGoal(goals: readonly Goal[], idOrPrefix: string): GoalMatch {
  const exact = goals.find((goal) => goal.id === idOrPrefix);
  if (exact !== undefined) return { goal: exact };
  const candidates = goals.filter((goal) => goal.id.startsWith(idOrPrefix));
  return candidates.length === 1 ? { goal: candidates[0] as Goal } : { candidates };
}
