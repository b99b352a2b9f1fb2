import { compareIds, type Goal } from "../model.js";

/**
 * The store's committed state: the newest committed revision of every goal it
 * holds, by id and in id order. A goal put here is never changed afterwards (a
 * new revision is a new object): `get`/`goals` hand out the store's own
 * objects, which callers must not mutate, and the goals.json writer relies on
 * it to tell by identity which goals changed since it last rendered them.
 */
export class CommittedGoals {
  readonly #goals = new Map<string, Goal>();
  // Kept sorted on insert: creates are rare next to updates, and reads and
  // goals.json writes then never sort.
  readonly #order: string[] = [];

  /** Whether a goal with `id` is committed. */
  has(id: string): boolean {
    return this.#goals.has(id);
  }

  /** The committed goal (the store's own object: callers must not mutate it). */
  get(id: string): Goal | undefined {
    return this.#goals.get(id);
  }

  /** Makes `goal` the committed revision of its id, replacing the previous one. */
  put(goal: Goal): void {
    const id = goal.id;
    if (!this.#goals.has(id)) this.#order.splice(this.#insertionPoint(id), 0, id);
    this.#goals.set(id, goal);
  }

  /** Committed goals in id order (the store's own objects: callers must not mutate them). */
  *goals(): IterableIterator<Goal> {
    for (const id of this.#order) yield this.#goals.get(id) as Goal;
  }

  #insertionPoint(id: string): number {
    let low = 0;
    let high = this.#order.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareIds(this.#order[middle] as string, id) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
