import { renderGoalsJsonEntry } from "../wire/render.js";
import { compareIds, type Goal } from "../model.js";

interface Slot {
  readonly goal: Goal;
  // This goal's part of goals.json as UTF-8, built on the first cache write that
  // needs it. Each has its own exact-size allocation: a slice of Node's shared
  // pool would keep a whole 8 KiB slab alive per goal.
  fragment: Buffer | undefined;
}

const OPEN = Buffer.from("[\n");
const SEPARATOR = Buffer.from(",\n");
const CLOSE = Buffer.from("\n]\n");
const EMPTY = Buffer.from("[]\n");

/**
 * The committed goals, by id and in id order, each with its part of goals.json
 * cached as bytes. A goals.json rewrite then hands the kernel a list of buffers
 * instead of re-serialising and re-encoding every goal, so a mutation costs the
 * same whether the store holds ten goals or ten thousand.
 */
export class GoalIndex {
  readonly #slots = new Map<string, Slot>();
  // Kept sorted on insert: creates are rare next to updates, and reads and cache
  // writes then never sort.
  readonly #order: string[] = [];

  has(id: string): boolean {
    return this.#slots.has(id);
  }

  /** The committed goal (the store's own object: callers must not mutate it). */
  get(id: string): Goal | undefined {
    return this.#slots.get(id)?.goal;
  }

  /** Stores a committed goal, replacing the previous revision of the same id. */
  put(goal: Goal): void {
    const id = goal.id;
    if (!this.#slots.has(id)) this.#order.splice(this.#insertionPoint(id), 0, id);
    this.#slots.set(id, { goal, fragment: undefined });
  }

  /** Committed goals in id order (the store's own objects: callers must not mutate them). */
  *goals(): IterableIterator<Goal> {
    for (const id of this.#order) yield (this.#slots.get(id) as Slot).goal;
  }

  /**
   * goals.json's bytes, in order: byte for byte `JSON.stringify(goals, null, 2)`
   * of the sorted wire goals plus a final newline, as cached fragments.
   * `overlay` holds goals another store wrote to goals.json that are newer than
   * (or absent from) this index; each replaces or joins this index's in the output.
   */
  renderCache(overlay: ReadonlyMap<string, Goal> = new Map()): Buffer[] {
    const extra = [...overlay.keys()].filter((id) => !this.#slots.has(id)).sort(compareIds);
    if (this.#order.length + extra.length === 0) return [EMPTY];
    const chunks: Buffer[] = [OPEN];
    const push = (fragment: Buffer) => {
      if (chunks.length > 1) chunks.push(SEPARATOR);
      chunks.push(fragment);
    };
    let next = 0;
    for (const id of this.#order) {
      for (; next < extra.length && compareIds(extra[next] as string, id) < 0; next++) {
        push(fragmentOf(overlay.get(extra[next] as string) as Goal));
      }
      const slot = this.#slots.get(id) as Slot;
      const newer = overlay.get(id);
      if (newer !== undefined && newer.revision > slot.goal.revision) push(fragmentOf(newer));
      else push((slot.fragment ??= fragmentOf(slot.goal)));
    }
    for (; next < extra.length; next++) push(fragmentOf(overlay.get(extra[next] as string) as Goal));
    chunks.push(CLOSE);
    return chunks;
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

function fragmentOf(goal: Goal): Buffer {
  const text = renderGoalsJsonEntry(goal);
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}
