import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { GoalStore, GoalStoreError, type Goal, type GoalMemory } from "../../src/index.js";
import { decodeGoal } from "../../src/wire/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { MODEL_LIMITS, ReferenceModel, type Verdict } from "./reference-model.js";

/** How the palace treats one write: accept it, or fail in one of the ways real palaces do. */
type Fault = "none" | "reject" | "throw" | "rejectLate" | "resolveLate";

/** A palace whose every write follows a script, so the model knows which writes fail. */
class ScriptedPalace implements GoalMemory {
  readonly inner = new InMemoryGoalMemory({ mode: "append" });
  readonly script: Fault[] = [];
  faults = 0;

  rememberGoal(json: string, tag: string, key?: { goalId: string; revision: number }): Promise<void> {
    const fault = this.script.shift() ?? "none";
    if (fault !== "none" && fault !== "resolveLate") this.faults++;
    const late = () => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 3));
    switch (fault) {
      case "throw":
        throw new Error("scripted: palace threw synchronously");
      case "reject":
        return Promise.reject(new Error("scripted: palace rejected"));
      case "rejectLate":
        return late().then(() => Promise.reject(new Error("scripted: palace rejected late")));
      case "resolveLate":
        return late().then(() => this.inner.rememberGoal(json, tag, key));
      case "none":
        return this.inner.rememberGoal(json, tag, key);
    }
  }

  listGoals(tag: string): Promise<string[]> {
    return this.inner.listGoals(tag);
  }
}

type Call =
  | { kind: "create"; description: unknown; acceptance: unknown }
  | { kind: "link"; goal: unknown; link: unknown }
  | { kind: "update"; goal: unknown; update: unknown }
  | { kind: "note"; goal: unknown; note: unknown }
  | { kind: "setStatus"; goal: unknown; status: unknown };
type Step = Call & { fault: Fault };

const words = fc.constantFrom("ship it", "  spaced \n\t out  ", "", "   ", "x".repeat(MODEL_LIMITS.text + 1), "é✓ unicode");
const text = fc.oneof(words, fc.string({ maxLength: MODEL_LIMITS.text + 2 }));
const junk = fc.constantFrom<unknown>(undefined, null, 42, {}, [], true);
const sessionId = fc.constantFrom("s1", "s2", "s3", " s1 ", "");
const state = fc.constantFrom<unknown>("launched", "running", "verified", "failed", "Verified");
const evidence = fc.oneof(fc.constantFrom<unknown>(null, "PR #12", "e".repeat(MODEL_LIMITS.evidence + 1)), fc.string({ maxLength: 8 }));
// A number picks one of the goals known when the step is fired; strings are ids that do not exist.
const goalRef = fc.oneof(fc.nat({ max: 20 }), fc.nat({ max: 20 }), fc.constantFrom<unknown>("g-0000000000000000", "", 7, null));
const fault = fc.constantFrom<Fault>("none", "none", "none", "none", "reject", "throw", "rejectLate", "resolveLate");
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const call: fc.Arbitrary<Call> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("create"), description: fc.oneof(text, junk), acceptance: fc.oneof(fc.array(text, { maxLength: 3 }), junk) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("link"),
      goal: goalRef,
      link: fc.oneof(
        fc.record({ sessionId, task: text, state: maybe(state), evidence: maybe(evidence) }, { requiredKeys: ["sessionId", "task"] }),
        fc.constant({ sessionId: "s9", task: "t", evidense: "typo" }),
        junk,
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("update"),
      goal: goalRef,
      update: fc.oneof(
        fc.record({ sessionId, state: maybe(state), evidence: maybe(evidence), note: maybe(text) }, { requiredKeys: ["sessionId"] }),
        junk,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("note"), goal: goalRef, note: fc.oneof(text, junk) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("setStatus"),
      goal: goalRef,
      status: fc.constantFrom<unknown>("done", "done", "blocked", "inProgress", "abandoned", "pending", "closed"),
    }),
  },
);
const step: fc.Arbitrary<Step> = fc.tuple(call, fault).map(([c, f]) => ({ ...c, fault: f }));
/** A sequence of batches: a batch of one is awaited alone, a larger one is fired concurrently. */
const sequence = fc.array(fc.array(step, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 10 });

/** Totals over a run of {@link runModelSequences}. */
export interface ModelRunStats {
  sequences: number;
  operations: number;
  faults: number;
  divergences: number;
}

const NOW = new Date("2026-06-16T12:00:00.000Z");
type Loose = (...args: unknown[]) => Promise<Goal>;

/**
 * Runs random sequences against a `GoalStore` over a scripted faulty palace and
 * against the reference model; after each: `all()`, a fresh `load()` and
 * goals.json must equal the model. Throws (with fast-check's shrunk
 * counterexample) on the first divergence.
 */
export async function runModelSequences(numRuns: number, seed?: number): Promise<ModelRunStats> {
  const stats: ModelRunStats = { sequences: 0, operations: 0, faults: 0, divergences: 0 };
  const property = fc.asyncProperty(sequence, async (batches) => {
    stats.sequences++;
    const root = await mkdtemp(join(tmpdir(), "goal-store-model-"));
    try {
      const palace = new ScriptedPalace();
      const store = await GoalStore.load(palace, root, { clock: () => NOW, limits: MODEL_LIMITS });
      const model = new ReferenceModel(NOW);
      const known: string[] = [];
      for (const batch of batches) {
        stats.operations += batch.length;
        // Resolve goal references against the goals known before the batch.
        const resolved = batch.map((s) => ("goal" in s && typeof s.goal === "number" ? { ...s, goal: known[s.goal % Math.max(1, known.length)] ?? "g-none" } : s));
        // The calls run in call order, so a copy of the model, fed the same calls,
        // tells which reach the palace; the script gives those their faults in order.
        const rehearsal = model.copy();
        palace.script.length = 0;
        for (const s of resolved) {
          const verdict = judge(rehearsal, s, `g-new-${palace.script.length}`);
          if (!("goal" in verdict) || verdict.unchanged === true) continue;
          palace.script.push(s.fault);
          if (s.fault === "none" || s.fault === "resolveLate") rehearsal.commit(verdict.goal);
        }
        const settled = await Promise.allSettled(resolved.map((s) => invoke(store, s)));
        for (const [i, s] of resolved.entries()) {
          const outcome = settled[i] as PromiseSettledResult<Goal>;
          const id = outcome.status === "fulfilled" ? outcome.value.id : "g-failed";
          const verdict = judge(model, s, id);
          const palaceFailed = "goal" in verdict && verdict.unchanged !== true && s.fault !== "none" && s.fault !== "resolveLate";
          const expectError = "error" in verdict ? verdict.error : palaceFailed ? "PALACE" : undefined;
          if (outcome.status === "rejected") {
            const error: unknown = outcome.reason;
            if (!(error instanceof GoalStoreError) || error.code !== expectError) {
              throw new Error(`step ${JSON.stringify(s)}: expected ${expectError ?? "success"}, got ${String(error)}`);
            }
          } else {
            if (expectError !== undefined || !("goal" in verdict) || !isDeepStrictEqual(outcome.value, verdict.goal)) {
              throw new Error(`step ${JSON.stringify(s)}: expected ${expectError ?? "the model's goal"}, got ${JSON.stringify(outcome.value)}`);
            }
            model.commit(verdict.goal);
            if (s.kind === "create") known.push(verdict.goal.id);
          }
        }
      }
      stats.faults += palace.faults;
      const expected = model.all();
      assertEqual(store.all(), expected, "store.all()");
      await store.flush();
      const mirrored = (JSON.parse(await readFile(store.cacheFile, "utf8")) as unknown[]).map(decodeGoal);
      assertEqual(mirrored, expected, "goals.json");
      const reloaded = await GoalStore.load(palace, await mkdtemp(join(root, "reload-")), { limits: MODEL_LIMITS });
      assertEqual(reloaded.all(), expected, "a fresh load()");
      await reloaded.flush();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
  try {
    await fc.assert(property, { numRuns, ...(seed === undefined ? {} : { seed }) });
  } catch (error) {
    stats.divergences++;
    throw Object.assign(error as Error, { stats });
  }
  return stats;
}

function judge(model: ReferenceModel, s: Step, id: string): Verdict {
  switch (s.kind) {
    case "create":
      return model.create(s.description, s.acceptance, id);
    case "link":
      return model.link(s.goal, s.link);
    case "update":
      return model.update(s.goal, s.update);
    case "note":
      return model.note(s.goal, s.note);
    case "setStatus":
      return model.setStatus(s.goal, s.status);
  }
}

function invoke(store: GoalStore, s: Step): Promise<Goal> {
  const loose = (method: keyof GoalStore) => (store[method] as Loose).bind(store);
  try {
    switch (s.kind) {
      case "create":
        return loose("create")(s.description, s.acceptance);
      case "link":
        return loose("link")(s.goal, s.link);
      case "update":
        return loose("update")(s.goal, s.update);
      case "note":
        return loose("note")(s.goal, s.note);
      case "setStatus":
        return loose("setStatus")(s.goal, s.status);
    }
  } catch (error) {
    // A synchronous throw from an async method would itself be a contract breach.
    return Promise.reject(new Error(`synchronous throw: ${String(error)}`));
  }
}

function assertEqual(actual: Goal[], expected: Goal[], what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`${what} diverged from the model:\n${JSON.stringify(actual)}\nexpected\n${JSON.stringify(expected)}`);
  }
}
