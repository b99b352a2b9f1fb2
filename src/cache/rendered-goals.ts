import { compareIds, type Goal } from "../model.js";
import { renderGoalsJsonEntry } from "../wire/render.js";

/**
 * What the goals.json writer reads of a store's committed goals. A goal in it
 * is never changed in place (a new revision is a new object), so a fragment
 * rendered from one object stays right for as long as the view holds that object.
 */
export interface CommittedGoalsView {
  /** The committed goal with `id`, or `undefined`. */
  get(id: string): Goal | undefined;
  /** Every committed goal, in id order. */
  goals(): Iterable<Goal>;
}

/** How long one slice of fragment rendering may hold the event loop, in ms. */
export const RENDER_SLICE_MS = 2;

// One goal's part of goals.json as UTF-8, and the goal object it was rendered
// from: a fragment of any other object (an older or newer revision) is stale.
interface Fragment {
  readonly goal: Goal;
  readonly bytes: Buffer;
}

const OPEN = Buffer.from("[\n");
const SEPARATOR = Buffer.from(",\n");
const CLOSE = Buffer.from("\n]\n");
const EMPTY = Buffer.from("[]\n");

/**
 * goals.json's content, from each goal's part rendered once and kept as
 * bytes: a rewrite hands the kernel a list of buffers instead of
 * re-serialising and re-encoding every goal, so a mutation costs the same
 * whether the store holds ten goals or ten thousand.
 */
export class RenderedGoals {
  readonly #fragments = new Map<string, Fragment>();

  /**
   * goals.json's bytes, in order: byte for byte `JSON.stringify(goals, null, 2)`
   * of the sorted wire goals plus a final newline. `overlay` holds goals another
   * store wrote to goals.json that are newer than (or absent from) `goals`; each
   * replaces or joins the view's in the output.
   *
   * The content is the view as it is at the call (later commits are not in
   * it); the fragments of goals changed since the last render are then built in
   * slices of about {@link RENDER_SLICE_MS}, yielding to the event loop between
   * them, so a write after a burst of commits does not stall the process.
   */
  async render(goals: CommittedGoalsView, overlay: ReadonlyMap<string, Goal> = new Map()): Promise<Buffer[]> {
    const shown = snapshot(goals, overlay);
    if (shown.length === 0) return [EMPTY];
    const chunks: Buffer[] = new Array<Buffer>(2 * shown.length + 1);
    chunks[0] = OPEN;
    let sliceStart = performance.now();
    for (let i = 0; i < shown.length; i++) {
      const goal = shown[i] as Goal;
      let fragment = this.#fragments.get(goal.id);
      if (fragment?.goal !== goal) {
        fragment = { goal, bytes: fragmentOf(goal) };
        this.#fragments.set(goal.id, fragment);
        if (performance.now() - sliceStart > RENDER_SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
      chunks[2 * i + 1] = fragment.bytes;
      chunks[2 * i + 2] = i === shown.length - 1 ? CLOSE : SEPARATOR;
    }
    if (this.#fragments.size > shown.length) this.#forgetAllBut(shown);
    return chunks;
  }

  // Drops the fragments of goals goals.json no longer shows.
  #forgetAllBut(shown: readonly Goal[]): void {
    const ids = new Set(shown.map((goal) => goal.id));
    for (const id of this.#fragments.keys()) if (!ids.has(id)) this.#fragments.delete(id);
  }
}

// The goals goals.json shows, in id order, taken synchronously: an array of
// references, cheap even at 100,000 goals.
function snapshot(goals: CommittedGoalsView, overlay: ReadonlyMap<string, Goal>): Goal[] {
  if (overlay.size === 0) return [...goals.goals()];
  const extra = [...overlay.keys()].filter((id) => goals.get(id) === undefined).sort(compareIds);
  const shown: Goal[] = [];
  let next = 0;
  for (const goal of goals.goals()) {
    for (; next < extra.length && compareIds(extra[next] as string, goal.id) < 0; next++) shown.push(overlay.get(extra[next] as string) as Goal);
    const newer = overlay.get(goal.id);
    shown.push(newer !== undefined && newer.revision > goal.revision ? newer : goal);
  }
  for (; next < extra.length; next++) shown.push(overlay.get(extra[next] as string) as Goal);
  return shown;
}

// Each fragment has its own exact-size allocation: a slice of Node's shared
// pool would keep a whole 8 KiB slab alive per goal.
function fragmentOf(goal: Goal): Buffer {
  const text = renderGoalsJsonEntry(goal);
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}
