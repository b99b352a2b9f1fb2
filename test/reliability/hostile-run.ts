import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { DEFAULT_LIMITS, GOAL_TAG, GoalStore, GoalStoreError, type Goal, type GoalMemory } from "../../src/index.js";
import { decodeEntry } from "../../src/wire/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";

const hostileString = fc.oneof(
  fc.string(),
  fc.constantFrom(
    "g-../../etc/passwd",
    "g-a/b",
    "..",
    "g-\u0000null",
    "\u0000",
    "__proto__",
    "constructor",
    "prototype",
    "x".repeat(20_000),
    "\ud800 lone surrogate",
    "e".repeat(1_100_000),
  ),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true }),
  hostileString,
  fc.constantFrom<unknown>(NaN, Infinity, -Infinity, -0, new Date(Number.NaN), Symbol("s"), () => "fn"),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "sessionId": "s1", "task": "t"}') as unknown),
  fc.constant(JSON.parse('{"constructor": {"prototype": {"polluted": true}}, "sessionId": "s1"}') as unknown),
  fc.constant(nested(10_000)),
  // The bounds of issue 13: counts over the default limits, odd objects, odd options.
  fc.constant(new Array<string>(1_100).fill("item")),
  fc.constant(new Array<string>(40_000).fill("a".repeat(16_384))),
  fc.constant(Object.defineProperty({ task: "t" }, "sessionId", { enumerable: true, get: () => { throw Object.create(null); } })),
  fc.constant(new Proxy({}, { get: () => { throw new Error("trap"); }, ownKeys: () => { throw new Error("trap"); } })),
  fc.constant({ limits: { sessions: 1, notes: 1, acceptance: 1, goalSize: 600 } }),
  fc.constant({ clock: () => new Date(Date.UTC(10000, 0, 1)) }),
  fc.constant({ clock: () => { throw Object.create(null); } }),
  fc.constant({ sessionId: "s1", evidence: "cut \ud83d" }),
);

/** Palace entries an attacker or a corrupted disk could leave. */
const hostileEntry: fc.Arbitrary<unknown> = fc.oneof(
  hostileValue,
  hostileString,
  fc.constant(
    '{"id":"g-0123456789abcdef","description":"d","status":"pending","acceptance":[],"sessions":[],"progress":0,' +
      '"created":"2026-06-16T12:00:00Z","updated":"2026-06-16T12:00:00Z","notes":[],"revision":1,' +
      '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
  ),
  fc.constant(`${"[".repeat(100_000)}${"]".repeat(100_000)}`),
  fc.constant('{"id":"g-1","description":"d","status":"done","created":"2026-13-45T99:00:00Z","updated":"x","revision":1e400}'),
  fc.constant('{"id":"g-1","revision":NaN}'),
  fc.constant(
    '{"id":"g-1","description":"\\ud800","status":"done","sessions":[{"session_id":"","task":"","state":"running"},' +
      '{"session_id":"","task":"","state":"running"}],"created":"9999-12-31T23:59:59-05:00","updated":"0000-01-01T00:00:00+05:00","revision":9007199254740990}',
  ),
  fc.json(),
);

type Method = "create" | "link" | "update" | "note" | "setStatus" | "close" | "get";
const call = fc.record({
  method: fc.constantFrom<Method>("create", "link", "update", "note", "setStatus", "close", "get"),
  args: fc.array(hostileValue, { maxLength: 3 }),
});

/** Totals over a run of {@link runHostileInputs}. */
export interface HostileStats {
  inputs: number;
  accepted: number;
  rejected: number;
}

function nested(depth: number): unknown {
  let value: unknown = "core";
  for (let i = 0; i < depth; i++) value = { sessionId: value, task: [value] };
  return value;
}

// What the store writes must stay readable: no lone surrogate escapes, four-digit
// years, safe revisions, counts and sizes within the default limits.
function assertWritable(entries: readonly string[]): void {
  for (const entry of entries) {
    if (/\\ud[89a-f][0-9a-f]{2}/i.test(entry)) throw new Error("a palace entry holds a lone surrogate");
    if (entry.length > DEFAULT_LIMITS.goalSize) throw new Error("a palace entry is over limits.goalSize");
    const goal = decodeEntry(entry);
    if (!Number.isSafeInteger(goal.revision + 1)) throw new Error("a revision reached Number.MAX_SAFE_INTEGER");
    if (goal.acceptance.length > DEFAULT_LIMITS.acceptance || goal.notes.length > DEFAULT_LIMITS.notes || goal.sessions.length > DEFAULT_LIMITS.sessions) {
      throw new Error("a goal holds more items than the limits allow");
    }
  }
}

function prototypeSnapshot(): string {
  return JSON.stringify([Object.getOwnPropertyNames(Object.prototype), Object.getOwnPropertyNames(Array.prototype)]);
}

/**
 * Fuzzes every public entry point with arbitrary values, hostile palace entries
 * included. Every call must resolve per the contract or reject with a
 * `GoalStoreError`, never throw synchronously (except `new GoalStore`, which
 * throws `INVALID_INPUT`), leave the store unchanged when it rejects, and leave
 * `Object.prototype` untouched. Throws on the first violation.
 */
export async function runHostileInputs(numRuns: number, seed?: number): Promise<HostileStats> {
  const stats: HostileStats = { inputs: 0, accepted: 0, rejected: 0 };
  const before = prototypeSnapshot();
  const root = await mkdtemp(join(tmpdir(), "goal-store-hostile-"));
  try {
    const palace = new InMemoryGoalMemory();
    const store = await GoalStore.load(palace, root);
    const seedGoal = await store.create("seed goal");
    await store.link(seedGoal.id, { sessionId: "s1", task: "t" });

    const outcome = async (run: () => unknown): Promise<"ok" | "rejected"> => {
      stats.inputs++;
      let pending: unknown;
      try {
        pending = run();
      } catch (error) {
        throw new Error(`synchronous throw: ${String(error)}`, { cause: error });
      }
      try {
        await pending;
        stats.accepted++;
        return "ok";
      } catch (error) {
        if (!(error instanceof GoalStoreError)) {
          throw new Error(`rejected with a non-GoalStoreError: ${String(error)}`, { cause: error });
        }
        stats.rejected++;
        return "rejected";
      }
    };

    await fc.assert(
      fc.asyncProperty(call, fc.nat({ max: 3 }), async ({ method, args }, pick) => {
        // Aim some calls at a real goal, so validation past the id is reached.
        if (pick === 0 && args.length > 0) args[0] = seedGoal.id;
        const snapshot: Goal[] = store.all();
        const writes = palace.writes;
        const result = await outcome(() => (store[method] as (...a: unknown[]) => unknown).apply(store, args));
        if (result === "rejected" && (!isDeepStrictEqual(store.all(), snapshot) || palace.writes !== writes)) {
          throw new Error(`${method} rejected but changed the store`);
        }
        if (prototypeSnapshot() !== before || "polluted" in {}) throw new Error("Object.prototype was modified");
        assertWritable(palace.entries(GOAL_TAG));
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }) },
    );

    // Constructor and load with arbitrary arguments and hostile palace contents.
    await fc.assert(
      fc.asyncProperty(fc.array(hostileEntry, { maxLength: 4 }), hostileValue, async (entries, options) => {
        // Entries as any other tool may have left them: listed, never written through the contract.
        const dirty: GoalMemory = { rememberGoal: async () => {}, listGoals: async (tag) => (tag === GOAL_TAG ? (entries as string[]) : []) };
        stats.inputs++;
        try {
          new GoalStore(dirty, root, options as never);
        } catch (error) {
          if (!(error instanceof GoalStoreError) || error.code !== "INVALID_INPUT") {
            throw new Error(`constructor threw ${String(error)}`, { cause: error });
          }
        }
        const loaded = await outcome(() => GoalStore.load(dirty, join(root, "loads"), options as never));
        void loaded;
        if (prototypeSnapshot() !== before || "polluted" in {}) throw new Error("Object.prototype was modified by load");
      }),
      { numRuns: Math.max(1, Math.floor(numRuns / 10)), ...(seed === undefined ? {} : { seed }) },
    );
    await store.flush();
  } finally {
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  }
  return stats;
}
