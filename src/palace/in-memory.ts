import { setTimeout as sleep } from "node:timers/promises";
import { keyInEntry, type GoalKey, type GoalMemory } from "./contract.js";

/** How an {@link InMemoryGoalMemory} keeps entries. */
export type InMemoryMode = "upsert" | "append";

/** How an injected fault surfaces: a rejected promise, or a synchronous throw from the call itself. */
export type FaultKind = "reject" | "throw";

/** Options of {@link InMemoryGoalMemory}. */
export interface InMemoryGoalMemoryOptions {
  /**
   * `"upsert"` keeps one entry per goal id (the newest revision, as a keyed
   * database would); `"append"` keeps every entry, as an append-only log does.
   * @default "upsert"
   */
  mode?: InMemoryMode;
  /**
   * Delay before every call settles: a number of milliseconds, `"yield"` for one
   * turn of the event loop (as real I/O costs at least), or `0` to settle at once.
   * @default 0
   */
  latency?: number | "yield";
}

interface StoredEntry {
  json: string;
  goalId: string | undefined;
  revision: number;
}

interface TagEntries {
  list: StoredEntry[];
  // Position in `list` by goal id, for upserts in constant time.
  byId: Map<string, number>;
}

interface PendingFault {
  kind: FaultKind;
  error: Error;
}

/**
 * A palace in memory: the {@link GoalMemory} that goal-store's own tests use,
 * exported for orchestrator authors' tests. Faults can be injected (fail the
 * next N writes or lists, by rejecting or by throwing), calls can be slowed,
 * and counters tell what reached it.
 *
 * @example
 * ```ts
 * const palace = new InMemoryGoalMemory();
 * const store = await GoalStore.load(palace, dataRoot);
 * palace.failNextWrites(1);
 * await expect(store.note(id, "x")).rejects.toMatchObject({ code: "PALACE" });
 * ```
 */
export class InMemoryGoalMemory implements GoalMemory {
  /** The keeping mode chosen at construction. */
  readonly mode: InMemoryMode;
  /** Delay applied to every call; may be changed at any time. */
  latency: number | "yield";
  readonly #tags = new Map<string, TagEntries>();
  readonly #writeFaults: PendingFault[] = [];
  readonly #listFaults: PendingFault[] = [];
  #writes = 0;
  #failedWrites = 0;
  #lists = 0;

  /** An empty palace; see {@link InMemoryGoalMemoryOptions} for the mode and latency. */
  constructor(options: InMemoryGoalMemoryOptions = {}) {
    this.mode = options.mode ?? "upsert";
    this.latency = options.latency ?? 0;
  }

  /** Writes the palace kept. */
  get writes(): number {
    return this.#writes;
  }

  /** Writes refused by an injected fault. */
  get failedWrites(): number {
    return this.#failedWrites;
  }

  /** `listGoals` calls, failed ones included. */
  get lists(): number {
    return this.#lists;
  }

  /** Makes the next `count` `rememberGoal` calls fail (nothing is kept). */
  failNextWrites(count = 1, kind: FaultKind = "reject", error: Error = new Error("injected palace write failure")): void {
    for (let i = 0; i < count; i++) this.#writeFaults.push({ kind, error });
  }

  /** Makes the next `count` `listGoals` calls fail. */
  failNextLists(count = 1, kind: FaultKind = "reject", error: Error = new Error("injected palace list failure")): void {
    for (let i = 0; i < count; i++) this.#listFaults.push({ kind, error });
  }

  /** A copy of the raw entries kept under `tag`, in the order they were written. */
  entries(tag: string): string[] {
    return (this.#tags.get(tag)?.list ?? []).map((entry) => entry.json);
  }

  /** @inheritDoc */
  rememberGoal(json: string, tag: string, key?: GoalKey): Promise<void> {
    const fault = this.#writeFaults.shift();
    if (fault?.kind === "throw") {
      this.#failedWrites++;
      throw fault.error;
    }
    return this.#settle(() => {
      if (fault !== undefined) {
        this.#failedWrites++;
        throw fault.error;
      }
      this.#keep(json, tag, key);
      this.#writes++;
    });
  }

  /** @inheritDoc */
  listGoals(tag: string): Promise<string[]> {
    this.#lists++;
    const fault = this.#listFaults.shift();
    if (fault?.kind === "throw") throw fault.error;
    return this.#settle(() => {
      if (fault !== undefined) throw fault.error;
      return this.entries(tag);
    });
  }

  #keep(json: string, tag: string, key: GoalKey | undefined): void {
    let entries = this.#tags.get(tag);
    if (entries === undefined) {
      entries = { list: [], byId: new Map() };
      this.#tags.set(tag, entries);
    }
    // Without a key, upserted by the id inside the JSON when there is one.
    const found = key ?? keyInEntry(json);
    const entry: StoredEntry = { json, goalId: found?.goalId, revision: found?.revision ?? 0 };
    const position = this.mode === "upsert" && entry.goalId !== undefined ? entries.byId.get(entry.goalId) : undefined;
    if (position === undefined) {
      if (this.mode === "upsert" && entry.goalId !== undefined) entries.byId.set(entry.goalId, entries.list.length);
      entries.list.push(entry);
    } else if ((entries.list[position] as StoredEntry).revision <= entry.revision) {
      // Never let an older revision overwrite a newer one.
      entries.list[position] = entry;
    }
  }

  async #settle<T>(action: () => T): Promise<T> {
    if (this.latency === "yield") await new Promise<void>((resolve) => setImmediate(resolve));
    else if (this.latency > 0) await sleep(this.latency);
    return action();
  }
}
