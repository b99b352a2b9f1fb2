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
  /**
   * Set when the mutation is decided but must not be announced yet: a
   * mutation before it in call order is being run again, and callers and
   * listeners hear of commits in call order.
   */
  decided?: Decision | undefined;
  readonly resolve: (goal: Goal) => void;
  readonly reject: (error: unknown) => void;
}

/** How a mutation ends: a revision the palace kept, a no-op's goal, or an error. */
type Decision =
  | { readonly kind: "kept"; readonly goal: Goal }
  | { readonly kind: "noop"; readonly goal: Goal }
  | { readonly kind: "rejected"; readonly error: unknown };

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
  /**
   * A mutation this batch cannot judge: it would be judged on an entry of the
   * batch that is not committed yet (a no-op on it, a refusal by the rules or
   * by `expectedRevision`). It and everything after it wait for the next batch.
   */
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
   * for a palace that writes batches) as one batch and settles, in call order,
   * every one that is decided.
   *
   * Each mutation gets the result it would get if the mutations ran one at a
   * time in call order: one that would be judged on an entry of this batch
   * that is not committed yet (refused by the rules or by `expectedRevision`
   * on it, or a no-op on it) is not judged here: it and every mutation after
   * it go to the next batch. An entry chained on an earlier entry of its goal
   * that the palace did not keep has not been tried on its own: it is built
   * again too, unless that entry's outcome is unknown (it may still land, so
   * building on the goal as the palace holds it now could apply the change
   * twice): then its outcome is unknown as well.
   * @returns the mutations to run again, in call order: those refused as stale
   *   (to be built again on the fresh goal), the deferred ones, and the
   *   decided ones behind them, held back so that callers and listeners hear
   *   of commits in call order. The caller puts them back at the head of its queue.
   */
  async commit(items: readonly Pending[]): Promise<Pending[]> {
    // The newest revision of each goal within this batch: a second mutation of
    // the same goal builds on the first, as it would one after the other.
    const working = new Map<string, Goal>();
    // Goals with an entry of this batch not yet committed: what the batch cannot judge on.
    const unsettled = new Set<string>();
    const decisions = new Map<Pending, Decision | "again">();
    const writes: Write[] = [];
    let deferred: readonly Pending[] = [];
    for (const [position, pending] of items.entries()) {
      if (pending.decided !== undefined) {
        // Committed earlier and held back: a base for later mutations of its goal.
        if (pending.decided.kind === "kept") working.set(pending.decided.goal.id, pending.decided.goal);
        continue;
      }
      let prepared: Prepared;
      try {
        prepared = await this.#prepare(pending, working, unsettled);
      } catch (error) {
        if (pending.goalId !== undefined && unsettled.has(pending.goalId)) prepared = { kind: "defer", pending };
        else {
          decisions.set(pending, { kind: "rejected", error });
          continue;
        }
      }
      if (prepared.kind === "defer") {
        deferred = items.slice(position);
        break;
      }
      if (prepared.kind === "noop") decisions.set(pending, { kind: "noop", goal: prepared.goal });
      else {
        working.set(prepared.next.id, prepared.next);
        unsettled.add(prepared.next.id);
        writes.push(prepared);
      }
    }
    if (writes.length > 0) await this.#decideWrites(writes, decisions);
    const again = this.#announce(items.slice(0, items.length - deferred.length), decisions);
    const stale = again.filter((pending) => pending.decided === undefined && pending.attempt > 0);
    if (stale.length > 0) await contentionBackoff(Math.max(...stale.map((pending) => pending.attempt)));
    return [...again, ...deferred];
  }

  // What became of each write: kept, refused as stale (built again on the
  // fresh goal, or STALE when out of attempts), or failed.
  async #decideWrites(writes: readonly Write[], decisions: Map<Pending, Decision | "again">): Promise<void> {
    const outcomes = await this.#write(writes);
    // Per goal, the outcome of the first entry of this batch that was not kept:
    // the entries chained after it share its fate.
    const broken = new Map<string, "stale" | PalaceError>();
    const stale: Pending[] = [];
    writes.forEach((write, i) => {
      const outcome = outcomes[i] as "kept" | "stale" | PalaceError;
      const goalId = write.next.id;
      const before = broken.get(goalId);
      if (outcome === "kept") return decisions.set(write.pending, { kind: "kept", goal: write.next });
      if (before === undefined) broken.set(goalId, outcome);
      if (outcome === "stale" && before === undefined) stale.push(write.pending);
      else if (before === undefined) decisions.set(write.pending, { kind: "rejected", error: outcome });
      // Chained on an entry that was not kept: never tried on its own.
      else if (before instanceof PalaceError && before.outcome === "unknown") {
        decisions.set(write.pending, { kind: "rejected", error: outcome === "stale" ? before : outcome });
      } else decisions.set(write.pending, "again");
    });
    for (const [pending, decision] of await this.#afterStale(stale)) decisions.set(pending, decision);
  }

  // Settles the decided mutations in call order up to the first that must run
  // again; the decided ones after it are held back with their decision.
  #announce(items: readonly Pending[], decisions: ReadonlyMap<Pending, Decision | "again">): Pending[] {
    const again: Pending[] = [];
    for (const pending of items) {
      const decision = pending.decided ?? decisions.get(pending) ?? "again";
      if (decision === "again" || again.length > 0) {
        if (decision !== "again") pending.decided = decision;
        again.push(pending);
        continue;
      }
      pending.decided = undefined;
      this.#settle(pending, decision);
    }
    return again;
  }

  #settle(pending: Pending, decision: Decision): void {
    switch (decision.kind) {
      case "kept":
        return pending.resolve(this.#host.apply(decision.goal, "local"));
      case "noop":
        return pending.resolve(cloneGoal(decision.goal));
      case "rejected":
        return pending.reject(decision.error);
    }
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
  async #prepare(pending: Pending, working: ReadonlyMap<string, Goal>, unsettled: ReadonlySet<string>): Promise<Prepared> {
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
      if (unsettled.has(goalId)) return { kind: "defer", pending };
      const fresh = await this.refresh(goalId);
      if (fresh === undefined || fresh.revision === current.revision) return { kind: "noop", pending, goal: current };
      if (expected !== undefined) throw new StaleError(goalId, expected, fresh.revision);
      current = fresh;
      next = pending.build(current, this.#host.now());
      if (next === current) return { kind: "noop", pending, goal: current };
    }
    return { kind: "write", pending, next, previous: current, json: encodeWithinLimits(next, current, this.#host.limits) };
  }

  // Stale mutations: each is run again (its attempts counted) unless it asked
  // for strict locking or ran out of attempts: then it rejects with STALE.
  async #afterStale(stale: readonly Pending[]): Promise<Map<Pending, Decision | "again">> {
    const decisions = new Map<Pending, Decision | "again">();
    const refreshedById = new Map<string, Goal | undefined | PalaceError>();
    for (const pending of stale) {
      pending.attempt++;
      const goalId = pending.goalId;
      if (goalId !== undefined && !refreshedById.has(goalId)) {
        refreshedById.set(goalId, await this.refresh(goalId).catch((error: PalaceError) => error));
      }
      // The goal as the palace holds it now, or why it could not be read.
      const refreshed = goalId === undefined ? undefined : refreshedById.get(goalId);
      const reject = (error: unknown) => decisions.set(pending, { kind: "rejected", error });
      if (refreshed instanceof PalaceError) reject(refreshed);
      else if (goalId !== undefined && refreshed === undefined) reject(new GoalNotFoundError(goalId));
      else if (pending.expected !== undefined || pending.attempt > this.#host.staleRetries) {
        reject(new StaleError(goalId ?? "(new goal)", pending.expected ?? null, refreshed?.revision ?? null));
      } else decisions.set(pending, "again");
    }
    return decisions;
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
