import { z } from "zod";
import { GoalStatusSchema, SessionTaskStateSchema } from "../model.js";

/** Size bounds on caller-supplied strings, in string length (UTF-16 code units). */
export interface GoalLimits {
  /**
   * Bounds `description`, each acceptance item, `sessionId`, `task` and each note.
   * @default 16384
   */
  text: number;
  /**
   * Bounds `evidence`, so a runaway capture cannot bloat goals.json without bound.
   * @default 1048576
   */
  evidence: number;
}

/** The limits used when none are given. */
export const DEFAULT_LIMITS: Readonly<GoalLimits> = Object.freeze({ text: 16_384, evidence: 1_048_576 });

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

/** Builds the validating, normalising parsers for every mutator's arguments under `limits`. */
export function inputSchemas(limits: GoalLimits) {
  const text = (what: string) =>
    z
      .string()
      .trim()
      .min(1, `${what} must not be empty`)
      .max(limits.text, `${what} must be at most ${limits.text} characters`);
  const evidence = z.string().max(limits.evidence, `evidence must be at most ${limits.evidence} characters`);
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
      acceptance: z.array(text("acceptance item")),
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
