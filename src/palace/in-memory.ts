import { setTimeout as sleep } from "node:timers/promises";
import { StaleError } from "../errors.js";
import { keyInEntry, type GoalEntry, type GoalKey, type GoalMemory, type PalaceEvent, type PalaceWatch } from "./contract.js";

/** How an {@link InMemoryGoalMemory} keeps entries. */
export type InMemoryMode = "upsert" | "append";

/**
 * How an injected fault surfaces:
 * - `"reject"`: a rejected promise, nothing kept;
 * - `"throw"`: a synchronous throw from the call itself, nothing kept;
 * - `"keepThenReject"` (writes only): the entry **is** kept, then the call
 *   rejects, as a networked palace does when the connection drops after the
 *   commit (an unknown outcome);
 * - `"hang"`: the call never settles.
 */
export type FaultKind = "reject" | "throw" | "keepThenReject" | "hang";

/** Options of {@link InMemoryGoalMemory}. */
export interface InMemoryGoalMemoryOptions {
  /**
   * `"upsert"` keeps one entry per goal id (the newest revision, as a keyed
   * database would); `"append"` keeps every entry, as an append-only log does.
   * Both compare-and-set on the goal's newest revision.
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
  // Per goal id: the newest entry's position in `list`.
  newest: Map<string, number>;
}

interface PendingFault {
  kind: FaultKind;
  error: Error;
}

/**
 * A palace in memory: the {@link GoalMemory} that goal-store's own tests use,
 * exported for orchestrator authors' tests. It implements the whole contract
 * (compare-and-set, `readGoal`, a change feed that reaches every store on the
 * same instance at once), and faults can be injected (fail the next N writes or
 * lists: reject, throw, keep-then-reject, hang), calls can be slowed, and
 * counters tell what reached it.
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
  readonly #watchers = new Set<{ tag: string; onEvent: (event: PalaceEvent) => void }>();
  #writes = 0;
  #failedWrites = 0;
  #staleWrites = 0;
  #lists = 0;
  #batches = 0;

  /** An empty palace; see {@link InMemoryGoalMemoryOptions} for the mode and latency. */
  constructor(options: InMemoryGoalMemoryOptions = {}) {
    this.mode = options.mode ?? "upsert";
    this.latency = options.latency ?? 0;
  }

  /** Writes the palace kept. */
  get writes(): number {
    return this.#writes;
  }

  /** Writes refused by an injected fault (a `keepThenReject` write counts here and in `writes`). */
  get failedWrites(): number {
    return this.#failedWrites;
  }

  /** Writes refused as stale: their base revision was no longer current. */
  get staleWrites(): number {
    return this.#staleWrites;
  }

  /** `rememberGoals` calls that reached the entries (group commits). */
  get batches(): number {
    return this.#batches;
  }

  /** `listGoals` calls, failed ones included. */
  get lists(): number {
    return this.#lists;
  }

  /** Makes the next `count` `rememberGoal` calls fail the way `kind` says. */
  failNextWrites(count = 1, kind: FaultKind = "reject", error: Error = new Error("injected palace write failure")): void {
    for (let i = 0; i < count; i++) this.#writeFaults.push({ kind, error });
  }

  /** Makes the next `count` `listGoals` calls fail (`keepThenReject` acts as `reject`). */
  failNextLists(count = 1, kind: FaultKind = "reject", error: Error = new Error("injected palace list failure")): void {
    for (let i = 0; i < count; i++) this.#listFaults.push({ kind, error });
  }

  /** A copy of the raw entries kept under `tag`, in the order they were written. */
  entries(tag: string): string[] {
    return (this.#tags.get(tag)?.list ?? []).map((entry) => entry.json);
  }

  /** @inheritDoc */
  rememberGoal(json: string, tag: string, key?: GoalKey): Promise<void> {
    return this.#write(() => {
      this.#keep(json, tag, key);
      this.#writes++;
    });
  }

  /**
   * Group commit: the entries are kept in order, each compare-and-set on its
   * own; an entry after a refused one of the same goal is refused without
   * being tried. Faults apply to the batch as one write.
   */
  rememberGoals(tag: string, entries: readonly GoalEntry[]): Promise<("kept" | "stale")[]> {
    return this.#write(() => {
      const refused = new Set<string>();
      const outcomes = entries.map(({ json, key }): "kept" | "stale" => {
        if (refused.has(key.goalId)) return "stale";
        try {
          this.#keep(json, tag, key);
          this.#writes++;
          return "kept";
        } catch {
          refused.add(key.goalId);
          return "stale";
        }
      });
      this.#batches++;
      return outcomes;
    });
  }

  // Runs one write (`keep`) under the next injected fault, if any.
  #write<T>(keep: () => T): Promise<T> {
    const fault = this.#writeFaults.shift();
    if (fault?.kind === "throw") {
      this.#failedWrites++;
      throw fault.error;
    }
    if (fault?.kind === "hang") return never();
    return this.#settle(() => {
      if (fault?.kind === "reject") {
        this.#failedWrites++;
        throw fault.error;
      }
      const result = keep();
      if (fault?.kind === "keepThenReject") {
        this.#failedWrites++;
        throw fault.error;
      }
      return result;
    });
  }

  /** @inheritDoc */
  listGoals(tag: string): Promise<string[]> {
    this.#lists++;
    const fault = this.#listFaults.shift();
    if (fault?.kind === "throw") throw fault.error;
    if (fault?.kind === "hang") return never();
    return this.#settle(() => {
      if (fault !== undefined) throw fault.error;
      return this.entries(tag);
    });
  }

  /** @inheritDoc */
  readGoal(tag: string, goalId: string): Promise<string | undefined> {
    return this.#settle(() => this.#newest(tag, goalId)?.json);
  }

  /** @inheritDoc */
  watchGoals(tag: string, onEvent: (event: PalaceEvent) => void): PalaceWatch {
    const watcher = { tag, onEvent };
    this.#watchers.add(watcher);
    return { close: () => void this.#watchers.delete(watcher) };
  }

  #newest(tag: string, goalId: string): StoredEntry | undefined {
    const entries = this.#tags.get(tag);
    const position = entries?.newest.get(goalId);
    return position === undefined ? undefined : entries?.list[position];
  }

  #keep(json: string, tag: string, key: GoalKey | undefined): void {
    let entries = this.#tags.get(tag);
    if (entries === undefined) {
      entries = { list: [], newest: new Map() };
      this.#tags.set(tag, entries);
    }
    const found = key ?? keyInEntry(json);
    if (found === undefined) {
      // Not a goal entry (no id anywhere): kept as it is, like a log would.
      entries.list.push({ json, goalId: undefined, revision: 0 });
      return;
    }
    const entry: StoredEntry = { json, goalId: found.goalId, revision: found.revision };
    const held = this.#newest(tag, found.goalId)?.revision;
    const kept = found.base === undefined ? held === undefined || found.revision > held : (found.base ?? undefined) === held;
    if (!kept) {
      this.#staleWrites++;
      throw new StaleError(found.goalId, found.base === undefined ? found.revision - 1 : found.base, held ?? null);
    }
    const position = entries.newest.get(found.goalId);
    if (this.mode === "upsert" && position !== undefined) entries.list[position] = entry;
    else {
      entries.newest.set(found.goalId, entries.list.length);
      entries.list.push(entry);
    }
    const event: PalaceEvent = { kind: "entry", goalId: found.goalId, revision: found.revision, json };
    for (const watcher of this.#watchers) {
      // Delivered after the write settles, as a real feed would; FIFO, so in revision order.
      if (watcher.tag === tag) queueMicrotask(() => this.#watchers.has(watcher) && watcher.onEvent(event));
    }
  }

  async #settle<T>(action: () => T): Promise<T> {
    if (this.latency === "yield") await new Promise<void>((resolve) => setImmediate(resolve));
    else if (this.latency > 0) await sleep(this.latency);
    return action();
  }
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}
