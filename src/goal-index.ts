import { goalToWire, type WireGoal } from "./codec.js";
import { compareIds, type Goal } from "./model.js";

/** One committed goal with its serialised forms, computed once per revision. */
export interface IndexedGoal {
  readonly goal: Goal;
  /** Compact wire JSON: exactly what the palace holds for this revision. */
  readonly json: string;
}

interface Slot extends IndexedGoal {
  wire: WireGoal;
  // goals.json fragment, built on the first cache write that needs it.
  fragment: string | undefined;
}

/**
 * The committed goals, by id and in id order, each with its serialised forms
 * cached. Keeping per-goal fragments makes a goals.json rewrite a string join
 * instead of re-serialising every goal, so a mutation costs the same whether the
 * store holds ten goals or ten thousand.
 */
export class GoalIndex {
  readonly #slots = new Map<string, Slot>();
  // Kept sorted on insert: creates are rare next to updates, and reads and cache
  // writes then never sort.
  readonly #order: string[] = [];

  get size(): number {
    return this.#slots.size;
  }

  has(id: string): boolean {
    return this.#slots.has(id);
  }

  get(id: string): IndexedGoal | undefined {
    return this.#slots.get(id);
  }

  /** Prepares `goal` for {@link GoalIndex.put}: serialises it once. */
  static prepare(goal: Goal): IndexedGoal {
    const wire = goalToWire(goal);
    const slot: Slot = { goal, wire, json: JSON.stringify(wire), fragment: undefined };
    return slot;
  }

  /** Stores a prepared goal, replacing the previous revision of the same id. */
  put(prepared: IndexedGoal): void {
    const slot = prepared as Slot;
    const id = slot.goal.id;
    if (!this.#slots.has(id)) this.#order.splice(this.#insertionPoint(id), 0, id);
    this.#slots.set(id, slot);
  }

  /** Committed goals in id order (the store's own objects: callers must not mutate them). */
  *goals(): IterableIterator<Goal> {
    for (const id of this.#order) yield (this.#slots.get(id) as Slot).goal;
  }

  /**
   * goals.json's text: byte for byte `JSON.stringify(goals, null, 2)` of the
   * sorted wire goals, plus a final newline, assembled from cached fragments.
   */
  renderCache(): string {
    if (this.#order.length === 0) return "[]\n";
    const parts: string[] = [];
    for (const id of this.#order) {
      const slot = this.#slots.get(id) as Slot;
      // JSON escapes newlines inside strings, so every raw newline is structural
      // and indenting it nests the object one level, as the array printer would.
      slot.fragment ??= "  " + JSON.stringify(slot.wire, null, 2).replaceAll("\n", "\n  ");
      parts.push(slot.fragment);
    }
    return `[\n${parts.join(",\n")}\n]\n`;
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
