import { z } from "zod";
import { customIssue, InvalidInputError, type GoalStoreError } from "../errors.js";
import { LimitsOptionSchema, resolveLimits, type GoalLimits } from "../wire/limits.js";
import type { GoalMemory } from "../palace/contract.js";
import { DEFAULT_CACHE_WRITE_INTERVAL_MS } from "../cache/cache-writer.js";

/** Options of {@link GoalStore}. */
export interface GoalStoreOptions {
  /**
   * The source of `created`/`updated` timestamps; inject one for deterministic tests.
   * @default () => new Date()
   */
  clock?: () => Date;
  /**
   * Where goals.json, the cache, lives.
   * @default `<dataRoot>/sm/goals.json`
   */
  cacheFile?: string;
  /**
   * Called with the `CACHE_IO` / `CACHE_CORRUPT` error whenever a background
   * goals.json write fails. The mutation stays committed (the palace holds it) and
   * the next write retries. An exception thrown here is ignored.
   * @default no-op
   */
  onCacheError?: (error: GoalStoreError) => unknown;
  /**
   * The least time between two background goals.json writes, in ms, counted
   * from the end of one to the start of the next (and never less than the last
   * write took). goals.json is rewritten whole, so this is what bounds the bytes
   * written under sustained load (bench/results.md, `mirror-bytes`, has the
   * measured figures). `flush()` and `dispose()` do not wait for it; 0 writes
   * again as soon as the previous write ends.
   * @default 500
   */
  cacheWriteIntervalMs?: number;
  /**
   * Bounds on strings, item counts and one goal's stored size; each field
   * defaults to its value in {@link DEFAULT_LIMITS}. See docs/guarantees.md, "Limits".
   */
  limits?: Partial<GoalLimits>;
  /**
   * How long one palace call may take before the store gives up on it, in ms.
   * A write that times out fails with `PALACE` and `outcome: "unknown"` (it may
   * still land); later mutations go on instead of waiting behind it. A
   * `listGoals` that times out during `load` falls back to goals.json.
   * @default 30000
   */
  palaceTimeoutMs?: number;
  /**
   * How many times a mutation is re-applied to a fresh copy of its goal when
   * the palace refuses it as stale (another writer committed first), before
   * it rejects with `STALE`.
   * @default 10
   */
  staleRetries?: number;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  clock: () => Date;
  cacheFile: string | undefined;
  onCacheError: (error: GoalStoreError) => void;
  limits: GoalLimits;
  palaceTimeoutMs: number;
  staleRetries: number;
  cacheWriteIntervalMs: number;
}

const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === "function";
const functionSchema = (name: string) =>
  z.custom<(...args: never[]) => unknown>(isFunction, {
    error: (issue) => `Expected ${name} to be a function, got ${typeOf(issue.input)}`,
  });

const OptionsSchema = z.strictObject({
  clock: functionSchema("clock").optional(),
  cacheFile: z.string().min(1).optional(),
  onCacheError: functionSchema("onCacheError").optional(),
  limits: LimitsOptionSchema.optional(),
  // setTimeout's ceiling is 2^31 - 1 ms; beyond it Node fires at once.
  palaceTimeoutMs: z.number().int().positive().max(2 ** 31 - 1).optional(),
  staleRetries: z.number().int().min(0).max(1000).optional(),
  cacheWriteIntervalMs: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});

/**
 * Validates the constructor's arguments and fills in defaults.
 * @throws {InvalidInputError} naming every bad argument; also when reading an
 * argument throws (a getter, a Proxy trap), with what it threw as `cause`.
 */
export function resolveOptions(palace: unknown, dataRoot: unknown, options: unknown): ResolvedOptions {
  try {
    return resolve(palace, dataRoot, options);
  } catch (cause) {
    if (cause instanceof InvalidInputError) throw cause;
    throw new InvalidInputError("GoalStore arguments", [customIssue([], "reading the arguments threw", undefined)], cause);
  }
}

function resolve(palace: unknown, dataRoot: unknown, options: unknown): ResolvedOptions {
  const issues: z.core.$ZodIssue[] = [];
  const isPalace =
    typeof palace === "object" &&
    palace !== null &&
    isFunction((palace as Partial<GoalMemory>).rememberGoal) &&
    isFunction((palace as Partial<GoalMemory>).listGoals);
  if (!isPalace) {
    issues.push(customIssue(["palace"], `Expected a palace (a GoalMemory with rememberGoal and listGoals), got ${typeOf(palace)}`, palace));
  }
  if (typeof dataRoot !== "string" || dataRoot.length === 0) {
    issues.push(customIssue(["dataRoot"], `Expected dataRoot to be a non-empty string, got ${typeOf(dataRoot)}`, dataRoot));
  }
  const parsed = OptionsSchema.safeParse(options ?? {});
  if (!parsed.success) issues.push(...parsed.error.issues.map((issue) => ({ ...issue, path: ["options", ...issue.path] })));
  if (issues.length > 0 || !parsed.success) throw new InvalidInputError("GoalStore arguments", issues);

  const given = parsed.data;
  return {
    clock: (given.clock as (() => Date) | undefined) ?? (() => new Date()),
    cacheFile: given.cacheFile,
    onCacheError: (given.onCacheError as ((error: GoalStoreError) => void) | undefined) ?? (() => {}),
    limits: resolveLimits(given.limits),
    palaceTimeoutMs: given.palaceTimeoutMs ?? 30_000,
    staleRetries: given.staleRetries ?? 10,
    cacheWriteIntervalMs: given.cacheWriteIntervalMs ?? DEFAULT_CACHE_WRITE_INTERVAL_MS,
  };
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
