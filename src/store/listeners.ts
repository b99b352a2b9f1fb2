import { cloneGoal, type Goal } from "../model.js";
import { customIssue, InvalidInputError } from "../errors.js";
import { callContained } from "../util/callbacks.js";

/** One committed change, as {@link GoalStore.subscribe} listeners receive it. */
export interface GoalChange {
  /** The goal as committed (a copy of its own for each listener). */
  goal: Goal;
  /** The goal before this commit, as this store knew it; `undefined` when the commit created it (or it is new to this store). */
  previous: Goal | undefined;
  /**
   * `"local"` for this store's own mutations; `"remote"` for another writer's
   * commit that this store learnt of (through the palace's change feed, or
   * when a write of its own was refused as stale and it read the goal again).
   */
  origin: "local" | "remote";
}

/** A {@link GoalStore.subscribe} listener. What it returns is ignored; a promise it returns is not awaited, and its rejection is only reported. */
export type GoalChangeListener = (change: GoalChange) => unknown;

/**
 * The store's subscribers. A listener can never break a commit or the process:
 * what it throws (or what the promise it returns rejects with) is reported with
 * `process.emitWarning`.
 */
export class Listeners {
  #listeners: GoalChangeListener[] = [];

  /** Adds `listener`; returns the function that removes it. */
  add(listener: unknown): () => void {
    if (typeof listener !== "function") {
      throw new InvalidInputError("subscribe() arguments", [customIssue(["listener"], "Expected listener to be a function", listener)]);
    }
    const added = listener as GoalChangeListener;
    // Replaced rather than mutated, so a commit notifying listeners is not
    // disturbed by one of them subscribing or unsubscribing.
    this.#listeners = [...this.#listeners, added];
    return () => {
      this.#listeners = this.#listeners.filter((existing) => existing !== added);
    };
  }

  /** Tells every listener of a commit, each with copies of its own. */
  notify(goal: Goal, previous: Goal | undefined, origin: GoalChange["origin"]): void {
    for (const listener of this.#listeners) {
      callContained("a subscribe() listener", "GOAL_STORE_LISTENER", () =>
        listener({ goal: cloneGoal(goal), previous: previous === undefined ? undefined : cloneGoal(previous), origin }),
      );
    }
  }
}
