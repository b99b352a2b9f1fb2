import { GoalNotFoundError, PalaceError, StaleError, type PalaceOutcome } from "../errors.js";
import type { CommittedGoals } from "./committed-goals.js";
import { cloneGoal, type Goal } from "../model.js";
import { encodeWithinLimits } from "./bounds.js";
import type { GuardedPalace, BatchEntry } from "./guarded-palace.js";
import type { GoalLimits } from "../wire/limits.js";
import { PalaceTimeoutError } from "./timeout.js";
import { backoffDelay, type Backoff } from "../util/backoff.js";

/** A mutation waiting for its turn: how to build the next revision, and whom to tell. */
export interface Pending {
  /** The goal it changes; `undefined` for a create (which mints its id when built). */
  readonly goalId: string | undefined;
  /** The next revision from the current goal (`undefined` for a create), or the same object for a no-op. */
  readonly build: (current: Goal | undefined, now: Date) => Goal;
  /** Strict optimistic locking: the revision the caller saw. */
  readonly expected: number | undefined;
  /** Stale refusals so far. */
  attempt: number;
  readonly resolve: (goal: Goal) => void;
  readonly reject: (error: unknown) => void;
}

/** What the committer needs of the store. */
export interface CommitterHost {
  readonly palace: GuardedPalace;
  readonly goals: CommittedGoals;
  readonly limits: GoalLimits;
  readonly staleRetries: number;
  now(): Date;
  /** Makes `goal` the committed revision: committed goals, cache, listeners. Returns the caller's copy. */
  apply(goal: Goal, origin: "local" | "remote"): Goal;
}

/** What {@link Committer} made of a pending mutation before writing. */
type Prepared =
  /** A new revision to write. */
  | { readonly kind: "write"; readonly pending: Pending; readonly next: Goal; readonly previous: Goal | undefined; readonly json: string }
  /** A change that changes nothing: it resolves with the goal as it is and writes no new revision. */
  | { readonly kind: "noop"; readonly pending: Pending; readonly goal: Goal }
  /** A no-op on a goal this batch writes: judged again once that entry is settled. */
  | { readonly kind: "defer"; readonly pending: Pending };

type Write = Extract<Prepared, { kind: "write" }>;

/**
 * Turns queued mutations into palace writes and settles each one: the commit
 * rule of the store. The mutations it is given go to the palace as one batch
 * (group commit; a palace without batch writes is given batches of one): each
 * entry is still compare-and-set on its own, mutations of one goal are chained
 * in call order, and each resolves or rejects on its own entry's outcome. A
 * mutation refused as stale is handed back to be built again on the fresh goal
 * (its rules re-checked), a bounded number of times.
 */
export class Committer {
  readonly #host: CommitterHost;
  // Entries being written, by goal id: the feed's report of one is our own write.
  readonly #writing = new Map<string, number>();

  constructor(host: CommitterHost) {
    this.#host = host;
  }

  /** Whether `revision` of `goalId` is an entry this store is writing right now. */
  isWriting(goalId: string, revision: number): boolean {
    return this.#writing.get(goalId) === revision;
  }

  /**
   * Writes the pending mutations in `items` (in call order; more than one only
   * for a palace that writes batches) as one batch and settles every one that
   * is decided.
   * @returns the mutations to run again, in call order: those refused as stale
   *   (to be built again on the fresh goal) and the deferred no-ops. The caller
   *   puts them back at the head of its queue.
   */
  async commit(items: readonly Pending[]): Promise<Pending[]> {
    // The newest revision of each goal within this batch: a second mutation of
    // the same goal builds on the first, as it would one after the other.
    const working = new Map<string, Goal>();
    const writes: Write[] = [];
    const deferred: Pending[] = [];
    for (const pending of items) {
      let prepared: Prepared;
      try {
        prepared = await this.#prepare(pending, working);
      } catch (error) {
        pending.reject(error);
        continue;
      }
      switch (prepared.kind) {
        case "noop":
          pending.resolve(cloneGoal(prepared.goal));
          break;
        case "defer":
          deferred.push(pending);
          break;
        case "write":
          working.set(prepared.next.id, prepared.next);
          writes.push(prepared);
          break;
      }
    }
    // Nothing deferred either: a deferral waits for a write of this batch.
    if (writes.length === 0) return deferred;
    const outcomes = await this.#write(writes);
    const stale: Pending[] = [];
    writes.forEach((write, i) => {
      const outcome = outcomes[i];
      if (outcome === "kept") write.pending.resolve(this.#host.apply(write.next, "local"));
      else if (outcome === "stale") stale.push(write.pending);
      else write.pending.reject(outcome);
    });
    const retry = stale.length > 0 ? await this.#afterStale(stale) : [];
    // In call order: a deferred no-op came after the entry it waited for.
    return [...retry, ...deferred].sort((a, b) => items.indexOf(a) - items.indexOf(b));
  }

  /**
   * Reads one goal from the palace and applies it when it is newer than ours.
   * @returns the goal as this store now holds it, or `undefined` when neither has it.
   * @throws {PalaceError} when the palace cannot be read.
   */
  async refresh(goalId: string): Promise<Goal | undefined> {
    let entry: string | undefined;
    try {
      entry = await this.#host.palace.read(goalId);
    } catch (cause) {
      throw new PalaceError(`could not read goal ${goalId} from the palace`, cause, goalId);
    }
    const fresh = entry === undefined ? undefined : this.#host.palace.readable(entry);
    if (fresh !== undefined) this.applyRemote(fresh);
    return this.#host.goals.get(goalId);
  }

  /** Another writer's commit: taken only when newer than what this store has. */
  applyRemote(goal: Goal): void {
    const held = this.#host.goals.get(goal.id);
    if (held === undefined || goal.revision > held.revision) this.#host.apply(goal, "remote");
  }

  // The next revision of the pending mutation's goal, or what to do instead
  // when the change changes nothing (it writes no new revision).
  async #prepare(pending: Pending, working: ReadonlyMap<string, Goal>): Promise<Prepared> {
    const { goalId, expected } = pending;
    let current: Goal | undefined;
    if (goalId !== undefined) {
      current = working.get(goalId) ?? this.#host.goals.get(goalId) ?? (await this.refresh(goalId));
      if (current === undefined) throw new GoalNotFoundError(goalId);
      // Our view may lag behind the palace; only a palace read can say the
      // caller's revision is really gone.
      if (expected !== undefined && current.revision < expected && !working.has(goalId)) {
        current = (await this.refresh(goalId)) ?? current;
      }
      if (expected !== undefined && current.revision !== expected) throw new StaleError(goalId, expected, current.revision);
    }
    // The rules are pure functions of goal, input and time, so building again
    // on a fresh goal re-checks the gate, CONFLICT and NOT_FOUND.
    let next = pending.build(current, this.#host.now());
    if (next === current && goalId !== undefined) {
      // Nothing to write, so no compare-and-set will catch a stale view: a
      // no-op on a goal another writer moved must be judged on the palace's
      // revision. One built on this batch's own entry waits for it to commit.
      if (working.has(goalId)) return { kind: "defer", pending };
      const fresh = await this.refresh(goalId);
      if (fresh === undefined || fresh.revision === current.revision) return { kind: "noop", pending, goal: current };
      if (expected !== undefined) throw new StaleError(goalId, expected, fresh.revision);
      current = fresh;
      next = pending.build(current, this.#host.now());
      if (next === current) return { kind: "noop", pending, goal: current };
    }
    return { kind: "write", pending, next, previous: current, json: encodeWithinLimits(next, current, this.#host.limits) };
  }

  // Stale mutations: each is retried (returned) unless it asked for strict
  // locking or ran out of attempts, in which case it rejects with STALE.
  async #afterStale(stale: Pending[]): Promise<Pending[]> {
    const retry: Pending[] = [];
    const refreshedById = new Map<string, Goal | undefined | PalaceError>();
    for (const pending of stale) {
      pending.attempt++;
      const goalId = pending.goalId;
      if (goalId !== undefined && !refreshedById.has(goalId)) {
        refreshedById.set(goalId, await this.refresh(goalId).catch((error: PalaceError) => error));
      }
      // The goal as the palace holds it now, or why it could not be read.
      const refreshed = goalId === undefined ? undefined : refreshedById.get(goalId);
      if (refreshed instanceof PalaceError) pending.reject(refreshed);
      else if (goalId !== undefined && refreshed === undefined) pending.reject(new GoalNotFoundError(goalId));
      else if (pending.expected !== undefined || pending.attempt > this.#host.staleRetries) {
        pending.reject(new StaleError(goalId ?? "(new goal)", pending.expected ?? null, refreshed?.revision ?? null));
      } else retry.push(pending);
    }
    if (retry.length > 0) await contentionBackoff(Math.max(...retry.map((pending) => pending.attempt)));
    return retry;
  }

  async #write(writes: readonly Write[]): Promise<("kept" | "stale" | PalaceError)[]> {
    const entries: BatchEntry[] = writes.map(({ next, previous, json }) => {
      this.#writing.set(next.id, next.revision);
      return { json, goalId: next.id, revision: next.revision, base: previous?.revision ?? null };
    });
    let failure: unknown;
    try {
      return await this.#host.palace.write(entries);
    } catch (error) {
      failure = error;
    } finally {
      // Before any read-back: a write that lands meanwhile must reach the store through the feed.
      for (const { next } of writes) this.#writing.delete(next.id);
    }
    return this.#readBack(writes, failure);
  }

  /**
   * After a failed write, finds out what the palace kept by reading each goal
   * back: an entry of ours there means it (and every entry of that goal before
   * it in the batch) is committed; the revision the first one built on there
   * means none is; anything else is unknown. Never claims "not committed"
   * without having seen it, and never after a timeout (the write may still land).
   */
  async #readBack(writes: readonly Write[], failure: unknown): Promise<("kept" | PalaceError)[]> {
    const outcomes: ("kept" | PalaceError)[] = [];
    const byGoal = new Map<string, number[]>();
    writes.forEach((write, i) => byGoal.set(write.next.id, [...(byGoal.get(write.next.id) ?? []), i]));
    for (const [goalId, positions] of byGoal) {
      const first = writes[positions[0] as number] as Write;
      let found: string | undefined;
      let readError: unknown;
      try {
        found = await this.#host.palace.read(goalId);
      } catch (error) {
        readError = error ?? new Error("read failed");
      }
      const keptUpTo = positions.findLastIndex((i) => (writes[i] as Write).json === found);
      const foundGoal = found === undefined ? undefined : this.#host.palace.readable(found);
      const base = first.previous?.revision;
      const atBase = readError === undefined && (found === undefined ? base === undefined : foundGoal?.revision === base);
      // What the palace holds now settles the entries after it as not kept,
      // unless the write timed out: then they may still land.
      const settled = (keptUpTo >= 0 || atBase) && !mayStillLand(failure);
      const outcome: PalaceOutcome = settled ? "notCommitted" : "unknown";
      positions.forEach((i, k) => {
        const { next } = writes[i] as Write;
        outcomes[i] = k <= keptUpTo ? "kept" : writeFailure(next, failure, outcome, readError);
      });
      if (keptUpTo < 0 && outcome === "unknown" && foundGoal !== undefined) this.applyRemote(foundGoal);
    }
    return outcomes;
  }
}

// A write that timed out, or that its palace could not bring to an end (it
// says so with `mayStillLand: true`), may be kept after the read-back.
function mayStillLand(failure: unknown): boolean {
  return (
    failure instanceof PalaceTimeoutError ||
    (typeof failure === "object" && failure !== null && (failure as { mayStillLand?: unknown }).mayStillLand === true)
  );
}

function writeFailure(goal: Goal, cause: unknown, outcome: PalaceOutcome, readError: unknown): PalaceError {
  const what = `palace did not confirm goal ${goal.id} revision ${goal.revision}`;
  const next =
    outcome === "notCommitted"
      ? "nothing was committed, retry the call"
      : `it may or may not have been kept${readError === undefined ? "" : " (reading it back failed too)"}; ` +
        "check store.get() before retrying";
  return new PalaceError(`${what}; ${next}`, cause, goal.id, outcome);
}

// Writers that collided on a goal would collide again if they retried in step:
// a random pause, growing with each attempt, lets one of them through. The
// first retry goes at once: most collisions are one-off.
const CONTENTION: Backoff = { firstMs: 1, maxMs: 50, jitter: "full" };

function contentionBackoff(attempt: number): Promise<void> {
  if (attempt <= 1) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt - 1, CONTENTION)));
}
