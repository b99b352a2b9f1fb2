import { z } from "zod";

/**
 * Bounds on what one goal may hold. Strings are measured in string length
 * (UTF-16 code units); `goalSize` in code units of the goal's palace entry (its
 * compact JSON). Every bound is checked before anything is written.
 */
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
  /**
   * Acceptance items per goal.
   * @default 1024
   */
  acceptance: number;
  /**
   * Linked sessions per goal.
   * @default 1024
   */
  sessions: number;
  /**
   * Notes per goal.
   * @default 10000
   */
  notes: number;
  /**
   * One goal's serialised size: length of its palace entry (compact JSON). Keeps
   * a goal far below V8's string limit, so any goal can be encoded and read back.
   * @default 8388608
   */
  goalSize: number;
}

/** The limits used when none are given. */
export const DEFAULT_LIMITS: Readonly<GoalLimits> = Object.freeze({
  text: 16_384,
  evidence: 1_048_576,
  acceptance: 1_024,
  sessions: 1_024,
  notes: 10_000,
  goalSize: 8_388_608,
});

// A goal's JSON must stay well below V8's longest string (2^29 - 24 code units
// on 64-bit Node 20), or encoding it throws a RangeError instead of our error.
const MAX_GOAL_SIZE = 268_435_456;

const bound = (max: number) => z.number().int().positive().max(max).optional();

/** Validates the `limits` option; every field is optional. */
export const LimitsOptionSchema = z.strictObject({
  text: bound(MAX_GOAL_SIZE),
  evidence: bound(MAX_GOAL_SIZE),
  acceptance: bound(Number.MAX_SAFE_INTEGER),
  sessions: bound(Number.MAX_SAFE_INTEGER),
  notes: bound(Number.MAX_SAFE_INTEGER),
  goalSize: bound(MAX_GOAL_SIZE),
});

/** `given` with {@link DEFAULT_LIMITS} filling every field left out. */
export function resolveLimits(given: z.output<typeof LimitsOptionSchema> | undefined): GoalLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(limits) as (keyof GoalLimits)[]) {
    const value = given?.[key];
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}

/**
 * The most bytes one goals.json element may take before the reader stops
 * buffering it: UTF-8 needs at most 3 bytes per code unit, pretty-printing adds
 * indentation; anything beyond is over `goalSize` for certain.
 */
export function maxStoredEntryBytes(limits: Pick<GoalLimits, "goalSize">): number {
  return 4 * limits.goalSize + 1_048_576;
}
