import { customIssue, InvalidInputError } from "../errors.js";
import type { Goal } from "../model.js";
import { encodeGoal } from "../wire/codec.js";
import type { GoalLimits } from "../wire/limits.js";

/**
 * The palace entry for `goal`, once it is known to respect `limits`: item
 * counts (checked only where this change adds items, so a goal loaded above a
 * count limit can still be updated, verified and closed) and the entry's size.
 * Runs before anything is written.
 * @throws {InvalidInputError} naming the limit, never a raw `RangeError`.
 */
export function encodeWithinLimits(goal: Goal, previous: Goal | undefined, limits: GoalLimits): string {
  const counts = [
    ["acceptance", goal.acceptance.length, previous?.acceptance.length ?? 0, limits.acceptance, "acceptance items"],
    ["sessions", goal.sessions.length, previous?.sessions.length ?? 0, limits.sessions, "linked sessions"],
    ["notes", goal.notes.length, previous?.notes.length ?? 0, limits.notes, "notes"],
  ] as const;
  for (const [field, count, before, limit, what] of counts) {
    if (count > limit && count > before) {
      throw limitError(goal, [field], `goal ${goal.id} would have ${count} ${what}; the limit is ${limit} (option limits.${field})`);
    }
  }
  let json: string;
  try {
    json = encodeGoal(goal);
  } catch (cause) {
    // Only a goal far above any goalSize can fail to encode (V8's string limit).
    throw limitError(goal, [], `goal ${goal.id} is too large to encode; the limit is ${limits.goalSize} characters (option limits.goalSize)`, cause);
  }
  if (json.length > limits.goalSize) {
    throw limitError(
      goal,
      [],
      `goal ${goal.id} would take ${json.length} characters stored; the limit is ${limits.goalSize} (option limits.goalSize)`,
    );
  }
  return json;
}

function limitError(goal: Goal, path: PropertyKey[], message: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError("change (over a limit)", [customIssue(path, message, goal.id)], cause);
}
