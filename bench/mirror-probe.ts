import { WritableGoalCache } from "../src/cache/writable-goal-cache.js";
import { RenderedGoals } from "../src/cache/rendered-goals.js";

/** What the probe saw of goals.json writes. */
export interface MirrorProbe {
  /** Bytes handed to goals.json writes so far. */
  bytes(): number;
  /** goals.json writes completed so far. */
  writes(): number;
  /**
   * The longest time any of `commitTimes` (performance.now() values, taken when
   * the mutation resolved) waited for a goals.json write that holds it:
   * `Infinity` when some commit is in no completed write yet.
   */
  maxLagMs(commitTimes: readonly number[]): number;
  /** Restores the patched methods. */
  restore(): void;
}

/**
 * Counts goals.json writes from the outside, by wrapping the two methods every
 * mirror write goes through: `RenderedGoals#render` takes the snapshot the
 * write will hold (everything committed before the call), and
 * `WritableGoalCache#writeContent` writes it. The mirror keeps at most one write in
 * flight, so each completed write belongs to the latest snapshot before it.
 */
export function probeMirror(): MirrorProbe {
  const render = RenderedGoals.prototype.render;
  const write = WritableGoalCache.prototype.writeContent;
  let bytes = 0;
  let lastSnapshot = Number.NaN;
  const completed: { snapshot: number; done: number }[] = [];
  RenderedGoals.prototype.render = function (this: RenderedGoals, ...args: Parameters<typeof render>) {
    lastSnapshot = performance.now();
    return render.apply(this, args);
  };
  WritableGoalCache.prototype.writeContent = async function (this: WritableGoalCache, content: Parameters<typeof write>[0]) {
    const snapshot = lastSnapshot;
    const size = typeof content === "string" ? Buffer.byteLength(content) : content.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    await write.call(this, content);
    bytes += size;
    completed.push({ snapshot, done: performance.now() });
  };
  return {
    bytes: () => bytes,
    writes: () => completed.length,
    maxLagMs(commitTimes) {
      let worst = 0;
      for (const committed of commitTimes) {
        const holder = completed.find((write) => write.snapshot >= committed);
        worst = Math.max(worst, holder === undefined ? Infinity : holder.done - committed);
      }
      return worst;
    },
    restore() {
      RenderedGoals.prototype.render = render;
      WritableGoalCache.prototype.writeContent = write;
    },
  };
}
