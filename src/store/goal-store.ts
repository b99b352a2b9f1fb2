import type { z } from "zod";
import {
  DisposedError,
  GoalStoreError,
  PalaceError,
} from "../errors.js";
import { defaultCacheFile, GoalCache } from "../cache/goal-cache.js";
import { CommittedGoals } from "./committed-goals.js";
import { CacheWriter } from "../cache/cache-writer.js";
import { cloneGoal, type Goal, type GoalStatus } from "../model.js";
import type { GoalMemory, PalaceEvent, PalaceWatch } from "../palace/contract.js";
import { rebuildGoals, type SkippedEntry } from "../wire/rebuild.js";
import { readClock } from "./clock.js";
import type { GoalLimits } from "../wire/limits.js";
import { findingsFor, type FlaggedGoal } from "./load-findings.js";
import { GuardedPalace } from "./guarded-palace.js";
import { mintGoalId } from "./ids.js";
import {
  inputSchemas,
  parseInput,
  type InputSchemas,
  type LinkInput,
  type MutationOptions,
  type SessionUpdate,
} from "./input.js";
import { Listeners, type GoalChange, type GoalChangeListener } from "./listeners.js";
import { resolveOptions, type GoalStoreOptions } from "./options.js";
import { appendNote, changeStatus, linkSession, newGoal, updateSession } from "./rules.js";
import { CommitQueue } from "./commit-queue.js";
import { Committer, type Pending } from "./committer.js";

export type { GoalChange, GoalChangeListener };

/** What {@link GoalStore.load} found. */
export interface LoadReport {
  /** `"palace"` normally; `"cache"` when the palace was unavailable and goals.json was read instead. */
  source: "palace" | "cache";
  /** Goals loaded. */
  goals: number;
  /** Entries that failed to parse or validate, and why. */
  skipped: SkippedEntry[];
  /** Superseded entries dropped because a newer revision of the same goal exists. */
  duplicates: number;
  /**
   * Goals not loaded because their newest entry is unreadable (see `skipped`,
   * which names them): loading an older revision would silently undo the newer.
   */
  withheld: string[];
  /**
   * Goals loaded as stored although they break a rule of this store (done with
   * unverified links, a session linked twice, more items than `limits` allow);
   * see docs/guarantees.md, "Loaded data that breaks a rule", for what mutations then do.
   */
  flagged: FlaggedGoal[];
  /** Why the palace could not be read; set whenever `source` is `"cache"`. */
  palaceError?: GoalStoreError;
  /**
   * Set when writing goals.json after a palace rebuild failed (the load still
   * succeeded). Only a missing goals.json is written before `load` resolves; one
   * that exists is compared and, if it differs, rewritten in the background,
   * and a failure of that write reaches `onCacheError` (and the next `flush`) only.
   */
  cacheError?: GoalStoreError;
}

type Change = (goal: Goal, now: Date) => Goal;

// Most mutations sent to a palace that writes batches in one batch: large
// enough to amortise a transaction's fsync, small enough that one batch never
// stalls the event loop long. A palace without batch writes gets batches of one.
const MAX_BATCH = 256;

/**
 * Durable, verifiable goals over an injected palace (the source of truth) with
 * an atomically written goals.json cache.
 *
 * Guarantees:
 * - **Commit rule**: a mutation is committed exactly when the palace keeps its
 *   entry, compare-and-set on the revision it was built on. When it is refused
 *   (bad input, unknown goal, the gate) or the palace fails, the store shows
 *   nothing of it and nothing is written anywhere.
 * - **Several writers**: when another writer changed the goal first, the change
 *   is re-applied to the fresh goal (rules re-checked), so no acknowledged
 *   mutation is lost or applied twice.
 * - **Ordering**: mutations run one at a time in call order, even un-awaited.
 * - **Isolation**: `get`/`all` see only committed state and return copies.
 * - **Gate**: a goal is `done` only while it has links and all are `verified`.
 * - **Cache**: goals.json follows in the background; `flush()` waits for it.
 *
 * @example
 * ```ts
 * const store = await GoalStore.load(palace, "./data");
 * const goal = await store.create("Ship the login page", ["tests pass"]);
 * await store.link(goal.id, { sessionId: "s1", task: "implement" });
 * await store.update(goal.id, { sessionId: "s1", state: "verified", evidence: "PR #12" });
 * await store.close(goal.id);
 * await store.dispose();
 * ```
 */
export class GoalStore {
  readonly #palace: GuardedPalace;
  readonly #clock: () => Date;
  readonly #schemas: InputSchemas;
  readonly #limits: GoalLimits;
  readonly #goals = new CommittedGoals();
  readonly #queue: CommitQueue<Pending>;
  readonly #committer: Committer;
  readonly #cache: GoalCache;
  readonly #cacheWriter: CacheWriter;
  readonly #listeners = new Listeners();
  #loadReport: LoadReport | undefined;
  #watch: PalaceWatch | undefined;
  #disposed: Promise<void> | undefined;

  /**
   * An empty store; performs no I/O and watches no feed. Use
   * {@link GoalStore.load} to start from what the palace holds.
   * @param palace the palace: the source of truth.
   * @param dataRoot folder under which goals.json lives (`<dataRoot>/sm/goals.json`).
   * @throws {InvalidInputError} when an argument or option is malformed.
   */
  constructor(palace: GoalMemory, dataRoot: string, options: GoalStoreOptions = {}) {
    const resolved = resolveOptions(palace, dataRoot, options);
    this.#palace = new GuardedPalace(palace, resolved.palaceTimeoutMs, resolved.limits);
    this.#clock = resolved.clock;
    this.#schemas = inputSchemas(resolved.limits);
    this.#limits = resolved.limits;
    const cacheFile = resolved.cacheFile ?? defaultCacheFile(dataRoot);
    this.#cache = new GoalCache(cacheFile);
    this.#cacheWriter = new CacheWriter(cacheFile, this.#goals, resolved.onCacheError, resolved.cacheWriteIntervalMs, resolved.limits);
    this.#committer = new Committer({
      palace: this.#palace,
      goals: this.#goals,
      limits: this.#limits,
      staleRetries: resolved.staleRetries,
      now: () => this.#now(),
      apply: (goal, origin) => this.#apply(goal, origin),
    });
    this.#queue = new CommitQueue((items) => this.#committer.commit(items), this.#palace.batches ? MAX_BATCH : 1);
  }

  /**
   * Builds a store from the palace: every entry tagged {@link GOAL_TAG}, newest
   * revision per goal, unreadable entries skipped (see {@link GoalStore.loadReport}),
   * then brings goals.json to match (before resolving only when it is missing;
   * an existing one is checked in the background). If the palace is unavailable (or its
   * `listGoals` does not settle within `palaceTimeoutMs`), falls back to
   * goals.json (a missing file means no goals). When the palace has a change
   * feed, the store follows it from then on; call {@link GoalStore.dispose} to stop.
   * @throws {InvalidInputError} when an argument or option is malformed.
   * @throws {CacheCorruptError} when the palace is down and goals.json is not a JSON array.
   * @throws {CacheIoError} when the palace is down and goals.json cannot be read.
   */
  static async load(palace: GoalMemory, dataRoot: string, options: GoalStoreOptions = {}): Promise<GoalStore> {
    const store = new GoalStore(palace, dataRoot, options);
    // The feed starts before the listing, so nothing committed in between is
    // missed; its events queue up behind the rebuild.
    try {
      store.#watch = store.#palace.watch((event) => store.#onPalaceEvent(event));
    } catch {
      // A palace down at load cannot start its feed either; load falls back to
      // goals.json below, and stale writes are still caught by compare-and-set.
    }
    try {
      await store.#queue.run(() => store.#rebuild());
    } catch (error) {
      await store.#watch?.close();
      throw error;
    }
    return store;
  }

  /** What {@link GoalStore.load} found; `undefined` for a store built with `new`. */
  get loadReport(): LoadReport | undefined {
    return this.#loadReport;
  }

  /** The path of goals.json, the cache this store writes. */
  get cacheFile(): string {
    return this.#cache.path;
  }

  /**
   * Creates a `pending` goal with a fresh id (`g-` + 16 hex).
   * @param description the operator's intent; whitespace runs collapse to one space.
   * @param acceptance acceptance criteria, each stored trimmed.
   * @throws {InvalidInputError} | {PalaceError} | {DisposedError}
   */
  async create(description: string, acceptance: string[] = []): Promise<Goal> {
    const input = this.#parse("create() arguments", this.#schemas.create, { description, acceptance });
    const taken = (id: string) => this.#goals.has(id);
    // A stale refusal of a create means another writer took the id: it is built again with a new one.
    return this.#enqueue(undefined, undefined, (_, now) => newGoal(mintGoalId(taken), input.description, input.acceptance, now));
  }

  /**
   * Links an agent session to a goal; a `pending` goal becomes `inProgress`.
   * @throws {InvalidInputError} | {GoalNotFoundError} | {ConflictError} when the
   * session is already linked | {VerificationGateError} when the goal is `done`
   * and the new link is not `verified` | {StaleError} | {PalaceError} | {DisposedError}
   */
  async link(goalId: string, link: LinkInput, options?: MutationOptions): Promise<Goal> {
    const input = this.#parse("link() arguments", this.#schemas.link, { goalId, link, options });
    return this.#mutate(input.goalId, input.options, (goal, now) => linkSession(goal, input.link, now));
  }

  /**
   * Changes a linked session's state and/or evidence, and optionally appends a note.
   * @throws {InvalidInputError} | {GoalNotFoundError} for an unknown goal or
   * session | {VerificationGateError} when the goal is `done` and the change
   * would leave a session unverified | {StaleError} | {PalaceError} | {DisposedError}
   */
  async update(goalId: string, update: SessionUpdate, options?: MutationOptions): Promise<Goal> {
    const input = this.#parse("update() arguments", this.#schemas.update, { goalId, update, options });
    return this.#mutate(input.goalId, input.options, (goal, now) => updateSession(goal, input.update, now));
  }

  /**
   * Appends a decision or blocker note (stored trimmed).
   * @throws {InvalidInputError} | {GoalNotFoundError} | {StaleError} | {PalaceError} | {DisposedError}
   */
  async note(goalId: string, note: string, options?: MutationOptions): Promise<Goal> {
    const input = this.#parse("note() arguments", this.#schemas.note, { goalId, note, options });
    return this.#mutate(input.goalId, input.options, (goal, now) => appendNote(goal, input.note, now));
  }

  /**
   * Sets a goal's status. `done` passes the verification gate only when the goal
   * has at least one link and every link is `verified`; other statuses are ungated.
   * @throws {InvalidInputError} | {GoalNotFoundError} | {VerificationGateError} |
   * {StaleError} | {PalaceError} | {DisposedError}
   */
  async setStatus(goalId: string, status: GoalStatus, options?: MutationOptions): Promise<Goal> {
    const input = this.#parse("setStatus() arguments", this.#schemas.setStatus, { goalId, status, options });
    return this.#mutate(input.goalId, input.options, (goal, now) => changeStatus(goal, input.status, now));
  }

  /**
   * Closes a goal as `done` through the verification gate; same as `setStatus(goalId, "done")`.
   * @throws {InvalidInputError} | {GoalNotFoundError} | {VerificationGateError} |
   * {StaleError} | {PalaceError} | {DisposedError}
   */
  async close(goalId: string, options?: MutationOptions): Promise<Goal> {
    return this.setStatus(goalId, "done", options);
  }

  /** A copy of the committed goal, or `undefined`. */
  get(goalId: string): Goal | undefined {
    if (typeof goalId !== "string") return undefined;
    const goal = this.#goals.get(goalId);
    return goal === undefined ? undefined : cloneGoal(goal);
  }

  /** Copies of every committed goal, sorted by id. */
  all(): Goal[] {
    return Array.from(this.#goals.goals(), cloneGoal);
  }

  /**
   * Calls `listener` after every commit this store learns of from now on,
   * synchronously and in commit order, with the new goal, the previous one
   * (`undefined` for a create) and its origin (`"local"` or `"remote"`): what a
   * TUI or dashboard in the same process needs to redraw without polling.
   * A listener that throws (or returns a promise that rejects) is reported with
   * `process.emitWarning` and never affects the store or the other listeners.
   * @returns a function that unsubscribes `listener`.
   * @throws {InvalidInputError} when `listener` is not a function.
   * @example
   * ```ts
   * const unsubscribe = store.subscribe(({ goal, previous, origin }) => {
   *   if (previous?.progress !== goal.progress) console.log(`${goal.id}: ${goal.progress}% (${origin})`);
   * });
   * // later
   * unsubscribe();
   * ```
   */
  subscribe(listener: GoalChangeListener): () => void {
    return this.#listeners.add(listener);
  }

  /**
   * Resolves once every mutation called before it has settled and goals.json
   * reflects every commit this store made or learnt of before the call.
   * @throws {CacheIoError} when the write fails (the mutations stay committed).
   */
  async flush(): Promise<void> {
    if (this.#disposed !== undefined) throw new DisposedError("flush()");
    await this.#queue.run(async () => {}).catch(() => {});
    await this.#cacheWriter.flush();
  }

  /**
   * Shuts the store down: waits for every mutation already called, flushes
   * goals.json, and stops the palace's change feed. Later calls (mutations,
   * `flush`) reject with `DISPOSED`; `get`/`all` keep answering from the last
   * state. Calling it again returns the same promise. The palace itself stays
   * open: it is the caller's.
   * @throws {CacheIoError} when the final goals.json write fails (the store is disposed all the same).
   */
  dispose(): Promise<void> {
    this.#disposed ??= (async () => {
      await this.#queue.run(async () => {}).catch(() => {});
      try {
        await this.#cacheWriter.flush();
      } finally {
        await this.#watch?.close();
        this.#watch = undefined;
      }
    })();
    return this.#disposed;
  }

  /** `await using store = await GoalStore.load(…)` disposes the store at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  #parse<S extends z.ZodType>(context: string, schema: S, value: unknown): z.output<S> {
    return parseInput(context, schema, value);
  }

  #enqueue(goalId: string | undefined, expected: number | undefined, build: Pending["build"]): Promise<Goal> {
    if (this.#disposed !== undefined) return Promise.reject(new DisposedError("a mutation"));
    return new Promise<Goal>((resolve, reject) => {
      this.#queue.add({ goalId, expected, build, attempt: 0, resolve, reject });
    });
  }

  #mutate(goalId: string, options: { expectedRevision?: number | undefined }, change: Change): Promise<Goal> {
    return this.#enqueue(goalId, options.expectedRevision, (goal, now) => change(goal as Goal, now));
  }

  #apply(goal: Goal, origin: GoalChange["origin"]): Goal {
    const previous = this.#goals.get(goal.id);
    this.#goals.put(goal);
    this.#cacheWriter.changed();
    this.#listeners.notify(goal, previous, origin);
    return cloneGoal(goal);
  }

  #onPalaceEvent(event: PalaceEvent): void {
    // In the serial order, like a mutation: get/all then never show a remote
    // commit in the middle of one of ours.
    // A disposed store follows nothing; our own writes come back through the
    // feed too: skip them without a turn in the queue.
    if (this.#disposed !== undefined) return;
    if (event.kind === "entry" && this.#committer.isWriting(event.goalId, event.revision)) return;
    this.#queue
      .run(async () => {
        if (event.kind === "gap") return this.#applyAll(await this.#palace.list());
        const held = this.#goals.get(event.goalId);
        if (held !== undefined && held.revision >= event.revision) return; // ours, or already seen
        const entry = event.json ?? (await this.#palace.read(event.goalId));
        const goal = entry === undefined ? undefined : this.#palace.readable(entry);
        if (goal !== undefined) this.#committer.applyRemote(goal);
      })
      // A missed event costs nothing lasting: compare-and-set catches the
      // stale write it could cause, and the next event or gap brings the goal.
      .catch(() => {});
  }

  #applyAll(entries: unknown[]): void {
    for (const goal of rebuildGoals(entries, this.#palace.decode).goals) this.#committer.applyRemote(goal);
  }

  #now(): Date {
    return readClock(this.#clock);
  }

  async #rebuild(): Promise<void> {
    let entries: unknown[];
    try {
      entries = await this.#palace.list();
    } catch (cause) {
      return this.#rebuildFromCache(new PalaceError("palace listGoals failed; loaded goals.json instead", cause));
    }
    const result = rebuildGoals(entries, this.#palace.decode);
    for (const goal of result.goals) this.#goals.put(goal);
    const report: LoadReport = {
      source: "palace",
      goals: result.goals.length,
      skipped: result.skipped,
      duplicates: result.duplicates,
      withheld: result.withheld,
      flagged: result.goals.flatMap((goal) => findingsFor(goal, this.#limits)),
    };
    // Written now only when missing; a goals.json already there is checked and
    // fixed in the background (see CacheWriter#reconcile). Either way a failure
    // is already reported through onCacheError by the cache writer; the truth was read.
    const cacheError = await this.#cacheWriter.reconcile();
    if (cacheError !== undefined) report.cacheError = cacheError;
    this.#loadReport = report;
  }

  async #rebuildFromCache(palaceError: PalaceError): Promise<void> {
    const result = await this.#cache.read(this.#limits);
    for (const goal of result.goals) this.#goals.put(goal);
    this.#loadReport = {
      source: "cache",
      goals: result.goals.length,
      skipped: result.skipped,
      duplicates: result.duplicates,
      withheld: result.withheld,
      flagged: result.goals.flatMap((goal) => findingsFor(goal, this.#limits)),
      palaceError,
    };
  }
}
