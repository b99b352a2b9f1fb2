import type { Goal } from "../model.js";
import { OversizedElement } from "./json-array-stream.js";
import { decodeEntry, encodeGoal } from "./codec.js";
import { maxStoredEntryBytes, type GoalLimits } from "./limits.js";

/**
 * `decode` refusing stored goals over `limits.goalSize` (measured as this
 * library would store them), so data written under higher limits, or by a
 * hostile writer, is skipped and reported on load instead of held unbounded.
 * A palace entry far over the bound is refused before it is parsed.
 */
export function boundedDecoder(decode: (entry: unknown) => Goal, limits: Pick<GoalLimits, "goalSize">): (entry: unknown) => Goal {
  const unparsedBound = maxStoredEntryBytes(limits);
  return (entry) => {
    if (entry instanceof OversizedElement) throw overLimit(entry.bytes, limits.goalSize, "bytes");
    if (typeof entry === "string" && entry.length > unparsedBound) throw overLimit(entry.length, limits.goalSize, "characters");
    const goal = decode(entry);
    if (mayExceed(goal, limits.goalSize)) {
      const size = encodeGoal(goal).length;
      if (size > limits.goalSize) throw overLimit(size, limits.goalSize, "characters");
    }
    return goal;
  };
}

/**
 * How a store reads a palace entry (the goal's JSON as `rememberGoal` received
 * it): {@link decodeEntry} under `limits.goalSize`.
 * @throws why the entry is unreadable or over the limit.
 */
export function palaceEntryDecoder(limits: Pick<GoalLimits, "goalSize">): (entry: unknown) => Goal {
  return boundedDecoder(decodeEntry, limits);
}

function overLimit(size: number, limit: number, unit: string): Error {
  return new RangeError(`goal takes ${size} ${unit} stored, over the limit of ${limit} (option limits.goalSize)`);
}

// Encoding every loaded goal to measure it would double the cost of a load; an
// upper bound on its JSON (every character escaped to six, generous room for
// keys and punctuation) settles almost every goal without encoding it.
function mayExceed(goal: Goal, limit: number): boolean {
  let text = goal.id.length + goal.description.length;
  for (const item of goal.acceptance) text += item.length;
  for (const note of goal.notes) text += note.length;
  for (const link of goal.sessions) text += link.sessionId.length + link.task.length + (link.evidence?.length ?? 0);
  const items = goal.acceptance.length + goal.notes.length + goal.sessions.length;
  return 6 * text + 64 * items + 512 > limit;
}
