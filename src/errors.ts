import type { z } from "zod";
import { verifiedOfTotal } from "./model.js";

/** The stable machine-readable codes of every {@link GoalStoreError}. */
export type GoalStoreErrorCode =
  | "NOT_FOUND"
  | "VERIFICATION_GATE"
  | "INVALID_INPUT"
  | "CONFLICT"
  | "STALE"
  | "PALACE"
  | "CACHE_IO"
  | "CACHE_CORRUPT"
  | "DISPOSED"
  | "REVISION_OVERFLOW";

/**
 * Base class of every failure goal-store reports. Branch on `instanceof` of a
 * subclass or on the literal {@link GoalStoreError.code}; the underlying error,
 * when there is one, is kept as `cause`.
 *
 * @example
 * ```ts
 * try { await store.close(id); }
 * catch (error) {
 *   if (error instanceof VerificationGateError) console.log(error.verified, error.total);
 *   else throw error;
 * }
 * ```
 */
export abstract class GoalStoreError extends Error {
  /** Stable code to branch on; never changes between releases. */
  abstract readonly code: GoalStoreErrorCode;

  /**
   * Subclasses build the message; callers construct the subclasses.
   * @param options `cause`: the underlying error, kept for diagnosis.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** `NOT_FOUND`: no goal with `goalId`, or (with `sessionId`) no such session linked to it. */
export class GoalNotFoundError extends GoalStoreError {
  readonly code = "NOT_FOUND" as const;
  /** The goal that was looked up. */
  readonly goalId: string;
  /** The session that was looked up, when the goal exists but the session is not linked. */
  readonly sessionId: string | undefined;

  /**
   * An unknown goal, or an unknown session of a known goal.
   * @param sessionId set when the goal exists but this session is not linked to it.
   */
  constructor(goalId: string, sessionId?: string) {
    super(
      sessionId === undefined
        ? `goal ${goalId} not found; check the id (store.all() lists every goal)`
        : `session ${sessionId} is not linked to goal ${goalId}; link it first with store.link()`,
    );
    this.goalId = goalId;
    this.sessionId = sessionId;
  }
}

/**
 * `VERIFICATION_GATE`: a goal cannot be (or stay) `done` unless it has at least
 * one linked session and every linked session is `verified`. `verified` and
 * `total` are the counts the refused change would have produced.
 */
export class VerificationGateError extends GoalStoreError {
  readonly code = "VERIFICATION_GATE" as const;
  /** The goal whose gate refused. */
  readonly goalId: string;
  /** Linked sessions in state `verified`. */
  readonly verified: number;
  /** Linked sessions in all. */
  readonly total: number;

  /**
   * A refusal by the gate, with the counts the change would have produced.
   * @param reason `close` when closing was refused, `keepDone` when a change would un-verify a `done` goal.
   */
  constructor(goalId: string, verified: number, total: number, reason: "close" | "keepDone") {
    super(
      reason === "close"
        ? total === 0
          ? `goal ${goalId} has no linked sessions; link and verify at least one before closing`
          : `goal ${goalId} has ${verifiedOfTotal(verified, total)} sessions verified; verify the rest before closing`
        : `goal ${goalId} is done and this change would leave ${verifiedOfTotal(verified, total)} sessions verified; reopen it with setStatus() first`,
    );
    this.goalId = goalId;
    this.verified = verified;
    this.total = total;
  }
}

/** `INVALID_INPUT`: an argument failed validation; `issues` are zod's, with paths. */
export class InvalidInputError extends GoalStoreError {
  readonly code = "INVALID_INPUT" as const;
  /** The zod issues describing every problem found. */
  readonly issues: readonly z.core.$ZodIssue[];

  /**
   * Bad arguments, with every problem named.
   * @param context what was being validated, e.g. `"link() arguments"`.
   * @param issues zod's issues, summarised into the message.
   */
  constructor(context: string, issues: readonly z.core.$ZodIssue[], cause?: unknown) {
    super(`invalid ${context}: ${summarizeIssues(issues)}; fix the argument and call again`, { cause });
    this.issues = issues;
  }
}

/** `CONFLICT`: the session is already linked to the goal (a session id appears at most once per goal). */
export class ConflictError extends GoalStoreError {
  readonly code = "CONFLICT" as const;
  /** The goal the session is already linked to. */
  readonly goalId: string;
  /** The session id that is already linked. */
  readonly sessionId: string;

  /** A session id that is already linked to the goal. */
  constructor(goalId: string, sessionId: string) {
    super(`session ${sessionId} is already linked to goal ${goalId}; use update() to change it`);
    this.goalId = goalId;
    this.sessionId = sessionId;
  }
}

/**
 * `STALE`: the goal changed under the caller. A palace rejects a write with it
 * (or with any error whose `code` is `"STALE"`) when the revision the write
 * built on is no longer the one it holds; the store then refreshes the goal and
 * re-applies the change, and rejects with it only when that kept failing, or at
 * once when the caller asked for a specific revision (`expectedRevision`).
 * Nothing was committed.
 */
export class StaleError extends GoalStoreError {
  readonly code = "STALE" as const;
  /** The goal whose revision moved. */
  readonly goalId: string;
  /** The revision the write built on (`null`: the goal was expected not to exist). */
  readonly expected: number | null;
  /** The revision found instead, when known (`null`: no such goal). */
  readonly actual: number | null | undefined;

  /**
   * A write refused because its base revision is no longer current.
   * @param expected the base revision of the write; `null` for a create.
   * @param actual the revision the palace or store holds, when known.
   */
  constructor(goalId: string, expected: number | null, actual?: number | null, cause?: unknown) {
    super(
      `goal ${goalId} is no longer at revision ${expected ?? "(absent)"}` +
        `${actual === undefined ? "" : ` (now ${actual ?? "absent"})`}; another writer changed it: read it again and retry`,
      { cause },
    );
    this.goalId = goalId;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * Whether `error` carries `code` (internal): a Node system error (`"ENOENT"`),
 * or a stale-revision rejection from a palace (`"STALE"`: a {@link StaleError}
 * or any error with that code, so adapters need not import goal-store).
 */
export function hasCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * What is known of a failed palace write: `"notCommitted"` when the store read
 * the goal back and found the revision the write built on, `"unknown"` when it
 * could not tell (the palace timed out, or the read-back failed or found a
 * third revision). After `"unknown"`, read the goal (`store.get`) before
 * deciding to retry: a blind retry of `note()` could add the note twice.
 */
export type PalaceOutcome = "notCommitted" | "unknown";

/**
 * `PALACE`: the palace (the {@link GoalMemory}) rejected, threw or timed out.
 * For a write, `outcome` says whether the mutation is known not to have been
 * committed; the store itself shows only what the palace confirmed.
 */
export class PalaceError extends GoalStoreError {
  readonly code = "PALACE" as const;
  /** The goal being written, when the failure was a write. */
  readonly goalId: string | undefined;
  /** For a failed write: whether it is known not to have been committed; `undefined` for reads. */
  readonly outcome: PalaceOutcome | undefined;

  /**
   * A palace read or write that failed.
   * @param cause what the palace threw or rejected with.
   * @param goalId the goal being written, if any.
   * @param outcome for a write, what the read-back established.
   */
  constructor(message: string, cause: unknown, goalId?: string, outcome?: PalaceOutcome) {
    super(`${message}: ${describeError(cause)}`, { cause });
    this.goalId = goalId;
    this.outcome = outcome;
  }
}

/**
 * `DISPOSED`: the store was disposed (`store.dispose()`); it takes no more calls.
 * Load a new store to carry on.
 */
export class DisposedError extends GoalStoreError {
  readonly code = "DISPOSED" as const;

  /** A call made after `dispose()`. */
  constructor(call: string) {
    super(`${call} called after the store was disposed; load a new store to carry on`);
  }
}

/** `CACHE_IO`: reading or writing goals.json failed at the file-system level. */
export class CacheIoError extends GoalStoreError {
  readonly code = "CACHE_IO" as const;
  /** The goals.json path involved. */
  readonly path: string;

  /**
   * A goals.json read or write that failed.
   * @param path goals.json's path.
   * @param action what failed.
   * @param cause the file-system error.
   */
  constructor(path: string, action: "read" | "write", cause: unknown) {
    super(
      action === "write"
        ? `could not write ${path}: ${describeError(cause)}; every commit is still in the palace and the next write retries`
        : `could not read ${path}: ${describeError(cause)}; check its permissions`,
      { cause },
    );
    this.path = path;
  }
}

/** `CACHE_CORRUPT`: goals.json exists but is not a JSON array of goals. */
export class CacheCorruptError extends GoalStoreError {
  readonly code = "CACHE_CORRUPT" as const;
  /** The goals.json path involved. */
  readonly path: string;

  /**
   * A goals.json whose content is not a JSON array.
   * @param path goals.json's path.
   * @param detail what is wrong with its content.
   */
  constructor(path: string, detail: string, cause?: unknown) {
    super(
      `${path} is not a valid goals.json (${detail}); load with the palace available to rebuild it, or delete it`,
      { cause },
    );
    this.path = path;
  }
}

/**
 * `REVISION_OVERFLOW`: the goal's revision has reached the largest one the
 * store writes (`Number.MAX_SAFE_INTEGER - 1`); it cannot change any further.
 * Only loaded data can get there (a new goal would need 2^53 commits).
 */
export class RevisionOverflowError extends GoalStoreError {
  readonly code = "REVISION_OVERFLOW" as const;
  /** The goal that cannot change. */
  readonly goalId: string;
  /** Its current revision. */
  readonly revision: number;

  /** A change refused because the next revision would not be below `Number.MAX_SAFE_INTEGER`. */
  constructor(goalId: string, revision: number) {
    super(
      `goal ${goalId} is at revision ${revision}, the largest the store writes; ` +
        `it cannot change any further: create a new goal to carry on`,
    );
    this.goalId = goalId;
    this.revision = revision;
  }
}

/**
 * A zod issue for a problem found outside a schema (internal), so that every
 * `INVALID_INPUT` carries issues of one shape whoever found the problem.
 */
export function customIssue(path: PropertyKey[], message: string, input: unknown): z.core.$ZodIssue {
  return { code: "custom", path, message, input };
}

/** One line naming the first few zod issues with their paths (internal). */
export function summarizeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues
    .slice(0, 3)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
  return issues.length > 3 ? `${shown} (and ${issues.length - 3} more)` : shown;
}

/** The message of any thrown value, even one without a string form (internal). */
export function describeError(cause: unknown): string {
  // Any of these can throw for a hostile value (a getter, a null prototype).
  try {
    if (cause instanceof Error) return String(cause.message);
    return String(cause);
  } catch {
    return "unprintable error";
  }
}
