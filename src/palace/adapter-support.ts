// What the bundled adapters (goal-store/sqlite, goal-store/postgres) share.
// Internal: an adapter written elsewhere needs none of it.
import { keyInEntry, type GoalKey, type PalaceEvent } from "./contract.js";

/** One caller of `watchGoals`: the tag it follows and where its events go. */
export interface FeedWatcher {
  readonly tag: string;
  readonly onEvent: (event: PalaceEvent) => void;
}

/**
 * The key of a write: the one given, else the one inside the entry (an entry
 * written by hand).
 * @throws {TypeError} when neither names a goal.
 */
export function writeKey(json: string, key: GoalKey | undefined): GoalKey {
  const found = key ?? keyInEntry(json);
  if (found === undefined) throw new TypeError("entry has no goal id and no key was given");
  return found;
}
