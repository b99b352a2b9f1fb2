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

/** How long one slice of fragment rendering may hold the event loop, in ms. */
export const RENDER_SLICE_MS = 2;

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
   *
   * The content is this index as it is at the call (later commits are not in
   * it); the fragments of goals changed since the last render are then built in
   * slices of about {@link RENDER_SLICE_MS}, yielding to the event loop between
   * them, so a write after a burst of commits does not stall the process.
   */
  async renderCache(overlay: ReadonlyMap<string, Goal> = new Map()): Promise<Buffer[]> {
    const slots = this.#snapshot(overlay);
    if (slots.length === 0) return [EMPTY];
    let sliceStart = performance.now();
    for (const slot of slots) {
      if (slot.fragment !== undefined) continue;
      // A slot replaced since the snapshot still gets its fragment: harmless,
      // and the snapshot stays what it was at the call.
      slot.fragment = fragmentOf(slot.goal);
      if (performance.now() - sliceStart > RENDER_SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    const chunks: Buffer[] = new Array<Buffer>(2 * slots.length + 1);
    chunks[0] = OPEN;
    for (let i = 0; i < slots.length; i++) {
      chunks[2 * i + 1] = (slots[i] as Slot).fragment as Buffer;
      chunks[2 * i + 2] = i === slots.length - 1 ? CLOSE : SEPARATOR;
    }
    return chunks;
  }

  // The slots goals.json shows, in id order, taken synchronously: an array of
  // references, cheap even at 100,000 goals.
  #snapshot(overlay: ReadonlyMap<string, Goal>): Slot[] {
    const extra = overlay.size === 0 ? [] : [...overlay.keys()].filter((id) => !this.#slots.has(id)).sort(compareIds);
    const slots: Slot[] = [];
    let next = 0;
    for (const id of this.#order) {
      for (; next < extra.length && compareIds(extra[next] as string, id) < 0; next++) {
        slots.push({ goal: overlay.get(extra[next] as string) as Goal, fragment: undefined });
      }
      const slot = this.#slots.get(id) as Slot;
      const newer = overlay.size === 0 ? undefined : overlay.get(id);
      slots.push(newer !== undefined && newer.revision > slot.goal.revision ? { goal: newer, fragment: undefined } : slot);
    }
    for (; next < extra.length; next++) slots.push({ goal: overlay.get(extra[next] as string) as Goal, fragment: undefined });
    return slots;
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
