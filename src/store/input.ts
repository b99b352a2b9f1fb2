import { z } from "zod";
import { customIssue, InvalidInputError } from "../errors.js";
import { GoalStatusSchema, SessionTaskStateSchema } from "../model.js";
import { wellFormed } from "../wire/well-formed.js";
import type { GoalLimits } from "../wire/limits.js";

export { DEFAULT_LIMITS, type GoalLimits } from "../wire/limits.js";

/** The fields of {@link GoalStore.link}'s second argument. */
export interface LinkInput {
  /** Identifies the session; stored trimmed, unique within the goal. */
  sessionId: string;
  /** What the session was asked to do; stored trimmed. */
  task: string;
  /** @default "launched" */
  state?: z.infer<typeof SessionTaskStateSchema>;
  /** Proof of the state, stored as given. @default null */
  evidence?: string | null;
}

/** The fields of {@link GoalStore.update}'s second argument; omitted fields are left as they are. */
export interface SessionUpdate {
  /** The linked session to change (compared after trimming). */
  sessionId: string;
  /** The new verification state. */
  state?: z.infer<typeof SessionTaskStateSchema>;
  /** A string sets the evidence, `null` clears it, `undefined` leaves it. */
  evidence?: string | null;
  /** A note appended to the goal in the same commit. */
  note?: string;
}

/** The last, optional argument of every mutator but `create`. */
export interface MutationOptions {
  /**
   * Strict optimistic locking: the revision the caller's decision was based on
   * (what a person saw on a dashboard, say). When the goal has moved past it,
   * the call rejects with `STALE` at once instead of re-applying the change to
   * the newer goal.
   */
  expectedRevision?: number;
}

/**
 * Builds the validating, normalising parsers for every mutator's arguments
 * under `limits`. Lone UTF-16 surrogates in any string become U+FFFD (see
 * docs/guarantees.md, "Unicode"), before the length checks.
 */
export function inputSchemas(limits: GoalLimits) {
  const text = (what: string) =>
    z
      .string()
      .transform(wellFormed)
      .pipe(
        z
          .string()
          .trim()
          .min(1, `${what} must not be empty`)
          .max(limits.text, `${what} must be at most ${limits.text} characters`),
      );
  const evidence = z
    .string()
    .max(limits.evidence, `evidence must be at most ${limits.evidence} characters`)
    .transform(wellFormed);
  const goalId = z.string().min(1, "goalId must not be empty");
  const options = z
    .strictObject({ expectedRevision: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() })
    .default({});

  return {
    create: z.object({
      // Operators paste intent with stray newlines; one line reads well in a table.
      description: z
        .string()
        .transform((value) => value.replace(/\s+/g, " ").trim())
        .pipe(text("description")),
      // The count is checked before the items, so a huge list fails fast.
      acceptance: z
        .array(z.unknown())
        .max(limits.acceptance, `at most ${limits.acceptance} acceptance items (option limits.acceptance)`)
        .pipe(z.array(text("acceptance item"))),
    }),
    link: z.object({
      goalId,
      options,
      link: z.strictObject({
        sessionId: text("sessionId"),
        task: text("task"),
        state: SessionTaskStateSchema.default("launched"),
        evidence: evidence.nullable().default(null),
      }),
    }),
    update: z.object({
      goalId,
      options,
      update: z.strictObject({
        sessionId: text("sessionId"),
        state: SessionTaskStateSchema.optional(),
        evidence: evidence.nullable().optional(),
        note: text("note").optional(),
      }),
    }),
    note: z.object({ goalId, note: text("note"), options }),
    setStatus: z.object({ goalId, status: GoalStatusSchema, options }),
  };
}

/** The parsers returned by {@link inputSchemas}. */
export type InputSchemas = ReturnType<typeof inputSchemas>;

/**
 * Parses a mutator's arguments with `schema`.
 * @throws {InvalidInputError} with zod's issues; also when reading the
 * arguments throws (a getter, a Proxy trap), with what it threw as `cause`.
 */
export function parseInput<S extends z.ZodType>(context: string, schema: S, value: unknown): z.output<S> {
  let result: z.ZodSafeParseResult<z.output<S>>;
  try {
    result = schema.safeParse(value);
  } catch (cause) {
    throw new InvalidInputError(context, [customIssue([], "reading the arguments threw", undefined)], cause);
  }
  if (!result.success) throw new InvalidInputError(context, result.error.issues, result.error);
  return result.data;
}
