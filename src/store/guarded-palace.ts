import { hasCode } from "../errors.js";
import { GOAL_TAG, keyInEntry, type GoalMemory, type PalaceEvent, type PalaceWatch } from "../palace/contract.js";
import type { Goal } from "../model.js";
import { palaceEntryDecoder } from "../wire/bounded-decode.js";
import type { GoalLimits } from "../wire/limits.js";
import { copyEntries } from "../wire/rebuild.js";
import { withTimeout } from "./timeout.js";

/** One entry of {@link GuardedPalace.write}. */
export interface BatchEntry {
  json: string;
  goalId: string;
  revision: number;
  base: number | null;
}

function describeOutcomes(value: unknown): string {
  return Array.isArray(value) ? `an array of ${value.length}` : typeof value;
}

/**
 * The store's side of the palace seam: every call bounded by the palace
 * timeout, synchronous throws turned into rejections, stale refusals told
 * apart from failures, the optional capabilities (one-goal read, feed)
 * replaced by what the two required methods can do when a palace lacks them,
 * and the one rule by which entries become goals.
 */
export class GuardedPalace {
  readonly #palace: GoalMemory;
  readonly #timeoutMs: number;

  /**
   * Reads one palace entry, wherever the store got it: the listing at load, a
   * feed event, the re-list after a feed gap, the refresh of one goal, the
   * read-back after a failed write. Every one of them goes through this rule
   * (the codec, under the store's `limits.goalSize`) so that what a store
   * holds does not depend on how it learnt of a goal: an entry skipped at load
   * (unreadable, or over the limit) does not come in later through the feed or
   * a refresh, where it would hold memory beyond the limits, reach `get`/`all`
   * and goals.json, refuse every change (a write of it is over the limit), and
   * vanish again at the next restart.
   * @throws why the entry is unreadable or over the limit.
   */
  readonly decode: (entry: unknown) => Goal;

  constructor(palace: GoalMemory, timeoutMs: number, limits: Pick<GoalLimits, "goalSize">) {
    this.#palace = palace;
    this.#timeoutMs = timeoutMs;
    this.decode = palaceEntryDecoder(limits);
  }

  /** {@link GuardedPalace.decode}, or `undefined` for an entry it refuses: an event or a read-back that cannot be read is as good as none. */
  readable(entry: unknown): Goal | undefined {
    try {
      return this.decode(entry);
    } catch {
      return undefined;
    }
  }

  /**
   * Whether the palace writes batches (group commit). A palace without batch
   * writes is given batches of one.
   */
  get batches(): boolean {
    try {
      return typeof this.#palace.rememberGoals === "function";
    } catch {
      // A hostile palace (a throwing getter): its writes go one at a time.
      return false;
    }
  }

  /**
   * Writes entries, each compare-and-set on its base: one entry with
   * `rememberGoal`, several (only when {@link GuardedPalace.batches}) in one
   * `rememberGoals` call.
   * @returns per entry, `"kept"`, or `"stale"` when the palace refused it because the goal moved.
   * @throws whatever else the palace threw, a `PalaceTimeoutError`, or a
   *   `TypeError` when its answer is not one outcome per entry.
   */
  async write(entries: readonly BatchEntry[]): Promise<("kept" | "stale")[]> {
    if (entries.length === 1) return [await this.#writeOne(entries[0] as BatchEntry)];
    const palace = this.#palace;
    const outcomes: unknown = await withTimeout("palace rememberGoals", this.#timeoutMs, () =>
      (palace.rememberGoals as NonNullable<GoalMemory["rememberGoals"]>).call(
        palace,
        GOAL_TAG,
        entries.map(({ json, goalId, revision, base }) => ({ json, key: { goalId, revision, base } })),
      ),
    );
    const valid =
      Array.isArray(outcomes) &&
      outcomes.length === entries.length &&
      outcomes.every((outcome) => outcome === "kept" || outcome === "stale");
    if (!valid) throw new TypeError(`rememberGoals answered ${describeOutcomes(outcomes)}, not one "kept" or "stale" per entry`);
    return outcomes as ("kept" | "stale")[];
  }

  async #writeOne({ json, goalId, revision, base }: BatchEntry): Promise<"kept" | "stale"> {
    try {
      await withTimeout("palace rememberGoal", this.#timeoutMs, () =>
        this.#palace.rememberGoal(json, GOAL_TAG, { goalId, revision, base }),
      );
      return "kept";
    } catch (error) {
      if (hasCode(error, "STALE")) return "stale";
      throw error;
    }
  }

  /** Every entry under the goal tag, as the palace returns them. */
  async list(): Promise<unknown[]> {
    // Copied element by element: an array from an adapter may have throwing getters.
    return copyEntries(await withTimeout("palace listGoals", this.#timeoutMs, () => this.#palace.listGoals(GOAL_TAG)));
  }

  /**
   * The newest entry of one goal, or `undefined`. Without `readGoal`, found by
   * listing every entry and keeping the highest revision with that id.
   */
  async read(goalId: string): Promise<string | undefined> {
    const palace = this.#palace;
    if (palace.readGoal !== undefined) {
      const entry: unknown = await withTimeout("palace readGoal", this.#timeoutMs, () =>
        (palace.readGoal as NonNullable<GoalMemory["readGoal"]>).call(palace, GOAL_TAG, goalId),
      );
      if (entry !== undefined && typeof entry !== "string") throw new TypeError(`readGoal returned ${typeof entry}`);
      return entry;
    }
    let newest: { json: string; revision: number } | undefined;
    for (const entry of await this.list()) {
      if (typeof entry !== "string") continue;
      const key = keyInEntry(entry);
      if (key?.goalId === goalId && (newest === undefined || key.revision >= newest.revision)) {
        newest = { json: entry, revision: key.revision };
      }
    }
    return newest?.json;
  }

  /** Starts the palace's change feed, or returns `undefined` when it has none. */
  watch(onEvent: (event: PalaceEvent) => void): PalaceWatch | undefined {
    return this.#palace.watchGoals?.(GOAL_TAG, onEvent);
  }
}
