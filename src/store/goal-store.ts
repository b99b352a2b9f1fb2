import type { z } from "zod";
import { defaultCacheFile, GoalCache } from "../mirror/goal-cache.js";
import { decodeEntry } from "../wire/codec.js";
import {
  GoalNotFoundError,
  GoalStoreError,
  InvalidInputError,
  PalaceError,
} from "../errors.js";
import { encodeWithinLimits } from "./bounds.js";
import { boundedDecoder } from "./bounded-decode.js";
import { callContained } from "./callbacks.js";
import { readClock } from "./clock.js";
import type { GoalLimits } from "./limits.js";
import { findingsFor, type FlaggedGoal } from "./load-findings.js";
import { GoalIndex } from "../mirror/goal-index.js";
import { inputSchemas, parseInput, type InputSchemas, type LinkInput, type SessionUpdate } from "./input.js";
import { GOAL_TAG, type GoalMemory } from "../palace/contract.js";
import { CacheMirror } from "../mirror/writer.js";
import { cloneGoal, type Goal, type GoalStatus } from "../model.js";
import { resolveOptions, type GoalStoreOptions } from "./options.js";
import { copyEntries, rebuildGoals, type SkippedEntry } from "../wire/rebuild.js";
import { appendNote, changeStatus, linkSession, newGoal, updateSession } from "./rules.js";
import { mintGoalId } from "./ids.js";
import { SerialQueue } from "./serial-queue.js";

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
   * see README, "Loaded data that breaks a rule", for what mutations then do.
   */
  flagged: FlaggedGoal[];
  /** Why the palace could not be read; set whenever `source` is `"cache"`. */
  palaceError?: GoalStoreError;
  /** Set when rewriting goals.json after a palace rebuild failed (the load still succeeded). */
  cacheError?: GoalStoreError;
}

/** One committed change, as {@link GoalStore.subscribe} listeners receive it. */
export interface GoalChange {
  /** The goal as committed (a copy of its own for each listener). */
  goal: Goal;
  /** The goal before this commit; `undefined` when the commit created it. */
  previous: Goal | undefined;
}

/** A {@link GoalStore.subscribe} listener. */
export type GoalChangeListener = (change: GoalChange) => void;

/**
 * Durable, verifiable goals over an injected palace (the source of truth) with
 * an atomically written goals.json mirror.
 *
 * Guarantees:
 * - **Commit rule**: a mutation is committed exactly when the palace accepts it.
 *   When it is refused (bad input, unknown goal, the gate) or the palace fails,
 *   nothing changes and nothing is written anywhere.
 * - **Ordering**: mutations run one at a time in call order, even un-awaited.
 * - **Isolation**: `get`/`all` see only committed state and return copies.
 * - **Gate**: a goal is `done` only while it has links and all are `verified`.
 * - **Mirror**: goals.json follows in the background; `flush()` waits for it.
 *
 * @example
 * ```ts
 * const store = await GoalStore.load(palace, "./data");
 * const goal = await store.create("Ship the login page", ["tests pass"]);
 * await store.link(goal.id, { sessionId: "s1", task: "implement" });
 * await store.update(goal.id, { sessionId: "s1", state: "verified", evidence: "PR #12" });
 * await store.close(goal.id);
 * ```
 */
export class GoalStore {
  readonly #palace: GoalMemory;
  readonly #clock: () => Date;
  readonly #schemas: InputSchemas;
  readonly #limits: GoalLimits;
  readonly #index = new GoalIndex();
  readonly #queue = new SerialQueue();
  readonly #cache: GoalCache;
  readonly #mirror: CacheMirror;
  #loadReport: LoadReport | undefined;
  #listeners: GoalChangeListener[] = [];

  /**
   * An empty store; performs no I/O. Use {@link GoalStore.load} to start from
   * what the palace holds.
   * @param palace the palace: the source of truth.
   * @param dataRoot folder under which goals.json lives (`<dataRoot>/sm/goals.json`).
   * @throws {InvalidInputError} when an argument or option is malformed.
   */
  constructor(palace: GoalMemory, dataRoot: string, options: GoalStoreOptions = {}) {
    const resolved = resolveOptions(palace, dataRoot, options);
    this.#palace = palace;
    this.#clock = resolved.clock;
    this.#schemas = inputSchemas(resolved.limits);
    this.#limits = resolved.limits;
    this.#cache = new GoalCache(resolved.cacheFile ?? defaultCacheFile(dataRoot));
    this.#mirror = new CacheMirror(this.#cache, () => this.#index.renderCache(), resolved.onCacheError);
  }

  /**
   * Builds a store from the palace: every entry tagged {@link GOAL_TAG}, newest
   * revision per goal, unreadable entries skipped (see {@link GoalStore.loadReport}),
   * then rewrites goals.json to match. If the palace is unavailable, falls back
   * to goals.json (a missing file means no goals).
   * @throws {InvalidInputError} when an argument or option is malformed.
   * @throws {CacheCorruptError} when the palace is down and goals.json is not a JSON array.
   * @throws {CacheIoError} when the palace is down and goals.json cannot be read.
   */
  static async load(palace: GoalMemory, dataRoot: string, options: GoalStoreOptions = {}): Promise<GoalStore> {
    const store = new GoalStore(palace, dataRoot, options);
    await store.#rebuild();
    return store;
  }

  /** What {@link GoalStore.load} found; `undefined` for a store built with `new`. */
  get loadReport(): LoadReport | undefined {
    return this.#loadReport;
  }

  /** The goals.json path this store mirrors to. */
  get cacheFile(): string {
    return this.#cache.path;
  }

  /**
   * Creates a `pending` goal with a fresh id (`g-` + 16 hex).
   * @param description the operator's intent; whitespace runs collapse to one space.
   * @param acceptance acceptance criteria, each stored trimmed.
   * @throws {InvalidInputError} | {PalaceError}
   */
  async create(description: string, acceptance: string[] = []): Promise<Goal> {
    const input = this.#parse("create() arguments", this.#schemas.create, { description, acceptance });
    return this.#queue.run(async () => {
      const goal = newGoal(mintGoalId((id) => this.#index.has(id)), input.description, input.acceptance, this.#now());
      return this.#commit(goal);
    });
  }

  /**
   * Links an agent session to a goal; a `pending` goal becomes `inProgress`.
   * @throws {InvalidInputError} | {GoalNotFoundError} | {ConflictError} when the
   * session is already linked | {VerificationGateError} when the goal is `done`
   * and the new link is not `verified` | {PalaceError}
   */
  async link(goalId: string, link: LinkInput): Promise<Goal> {
    const input = this.#parse("link() arguments", this.#schemas.link, { goalId, link });
    return this.#mutate(input.goalId, (goal, now) => linkSession(goal, input.link, now));
  }

  /**
   * Changes a linked session's state and/or evidence, and optionally appends a note.
   * @throws {InvalidInputError} | {GoalNotFoundError} for an unknown goal or
   * session | {VerificationGateError} when the goal is `done` and the change
   * would leave a session unverified | {PalaceError}
   */
  async update(goalId: string, update: SessionUpdate): Promise<Goal> {
    const input = this.#parse("update() arguments", this.#schemas.update, { goalId, update });
    return this.#mutate(input.goalId, (goal, now) => updateSession(goal, input.update, now));
  }

  /**
   * Appends a decision or blocker note (stored trimmed).
   * @throws {InvalidInputError} | {GoalNotFoundError} | {PalaceError}
   */
  async note(goalId: string, note: string): Promise<Goal> {
    const input = this.#parse("note() arguments", this.#schemas.note, { goalId, note });
    return this.#mutate(input.goalId, (goal, now) => appendNote(goal, input.note, now));
  }

  /**
   * Sets a goal's status. `done` passes the verification gate only when the goal
   * has at least one link and every link is `verified`; other statuses are ungated.
   * @throws {InvalidInputError} | {GoalNotFoundError} | {VerificationGateError} | {PalaceError}
   */
  async setStatus(goalId: string, status: GoalStatus): Promise<Goal> {
    const input = this.#parse("setStatus() arguments", this.#schemas.setStatus, { goalId, status });
    return this.#mutate(input.goalId, (goal, now) => changeStatus(goal, input.status, now));
  }

  /**
   * Closes a goal as `done` through the verification gate; same as `setStatus(goalId, "done")`.
   * @throws {InvalidInputError} | {GoalNotFoundError} | {VerificationGateError} | {PalaceError}
   */
  async close(goalId: string): Promise<Goal> {
    return this.setStatus(goalId, "done");
  }

  /** A copy of the committed goal, or `undefined`. */
  get(goalId: string): Goal | undefined {
    if (typeof goalId !== "string") return undefined;
    const goal = this.#index.get(goalId);
    return goal === undefined ? undefined : cloneGoal(goal);
  }

  /** Copies of every committed goal, sorted by id. */
  all(): Goal[] {
    return Array.from(this.#index.goals(), cloneGoal);
  }

  /**
   * Calls `listener` after every commit from now on, synchronously and in commit
   * order, with the new goal and the previous one (`undefined` for a create):
   * what a TUI or dashboard in the same process needs to redraw without polling.
   * A listener that throws is reported with `process.emitWarning` and never
   * affects the store or the other listeners.
   * @returns a function that unsubscribes `listener`.
   * @throws {InvalidInputError} when `listener` is not a function.
   * @example
   * ```ts
   * const unsubscribe = store.subscribe(({ goal, previous }) => {
   *   if (previous?.progress !== goal.progress) console.log(`${goal.id}: ${goal.progress}%`);
   * });
   * // later
   * unsubscribe();
   * ```
   */
  subscribe(listener: GoalChangeListener): () => void {
    if (typeof listener !== "function") {
      throw new InvalidInputError("subscribe() arguments", [
        { code: "custom", path: ["listener"], message: "Expected listener to be a function", input: listener },
      ]);
    }
    // Replaced rather than mutated, so a commit notifying listeners is not
    // disturbed by one of them subscribing or unsubscribing.
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((existing) => existing !== listener);
    };
  }

  /**
   * Resolves once goals.json reflects every mutation committed before the call.
   * @throws {CacheIoError} when the write fails (the mutations stay committed).
   */
  async flush(): Promise<void> {
    await this.#mirror.flush();
  }

  #parse<S extends z.ZodType>(context: string, schema: S, value: unknown): z.output<S> {
    return parseInput(context, schema, value);
  }

  #mutate(goalId: string, change: (goal: Goal, now: Date) => Goal): Promise<Goal> {
    return this.#queue.run(async () => {
      const current = this.#index.get(goalId);
      if (current === undefined) throw new GoalNotFoundError(goalId);
      const next = change(current, this.#now());
      // A change that changes nothing writes no new revision.
      return next === current ? cloneGoal(current) : this.#commit(next);
    });
  }

  // The change is built on a new object and swapped in only after the palace
  // accepted it, so a failure leaves nothing to roll back and readers never see
  // an uncommitted revision.
  async #commit(goal: Goal): Promise<Goal> {
    const json = encodeWithinLimits(goal, this.#index.get(goal.id), this.#limits);
    try {
      await this.#palace.rememberGoal(json, GOAL_TAG, { goalId: goal.id, revision: goal.revision });
    } catch (cause) {
      throw new PalaceError(
        `palace did not keep goal ${goal.id} revision ${goal.revision}; nothing was committed, retry the call`,
        cause,
        goal.id,
      );
    }
    const previous = this.#index.get(goal.id);
    this.#index.put(goal);
    this.#mirror.changed();
    this.#notify(goal, previous);
    return cloneGoal(goal);
  }

  #notify(goal: Goal, previous: Goal | undefined): void {
    for (const listener of this.#listeners) {
      callContained("a subscribe() listener", "GOAL_STORE_LISTENER", () =>
        listener({ goal: cloneGoal(goal), previous: previous === undefined ? undefined : cloneGoal(previous) }),
      );
    }
  }

  #now(): Date {
    return readClock(this.#clock);
  }

  async #rebuild(): Promise<void> {
    await this.#cache.removeStrayTempFiles();
    let entries: unknown;
    let palaceError: GoalStoreError | undefined;
    try {
      entries = copyEntries(await this.#palace.listGoals(GOAL_TAG));
    } catch (cause) {
      palaceError = new PalaceError("palace listGoals failed; loaded goals.json instead", cause);
    }

    if (palaceError === undefined) {
      const result = rebuildGoals(entries as unknown[], boundedDecoder(decodeEntry, this.#limits));
      for (const goal of result.goals) this.#index.put(goal);
      const report: LoadReport = {
        source: "palace",
        goals: result.goals.length,
        skipped: result.skipped,
        duplicates: result.duplicates,
        withheld: result.withheld,
        flagged: result.goals.flatMap((goal) => findingsFor(goal, this.#limits)),
      };
      this.#mirror.invalidate();
      try {
        await this.#mirror.flush();
      } catch (error) {
        // Already reported through onCacheError by the mirror; the truth was read.
        report.cacheError = error as GoalStoreError;
      }
      this.#loadReport = report;
      return;
    }

    const result = await this.#cache.read(this.#limits);
    for (const goal of result.goals) this.#index.put(goal);
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
