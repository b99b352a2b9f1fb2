import { describe, expect, it } from "vitest";
import { GoalStore, type GoalChange, type GoalEntry } from "../../src/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { settleAfterTest, tempRoot } from "../helpers.js";

// Issue 19.3: in one batch (group commit), a call must get the result it
// would get if the calls ran one at a time in call order, never one judged
// on a batch-mate's entry that was not committed.

async function storeOver(palace: InMemoryGoalMemory, options: { palaceTimeoutMs?: number } = {}): Promise<GoalStore> {
  return settleAfterTest(await GoalStore.load(palace, await tempRoot(), options));
}

function outcomeOf(result: PromiseSettledResult<unknown>): string {
  if (result.status === "fulfilled") return "ok";
  const reason = result.reason as { code?: string; outcome?: string };
  return reason.outcome === undefined ? String(reason.code) : `${reason.code}/${reason.outcome}`;
}

/** A palace where another writer changes `goalId` just before the next batch is written. */
class InterferingPalace extends InMemoryGoalMemory {
  interfere: (() => Promise<void>) | undefined;

  override async rememberGoals(tag: string, entries: readonly GoalEntry[]): Promise<("kept" | "stale")[]> {
    const interfere = this.interfere;
    this.interfere = undefined;
    await interfere?.();
    return super.rememberGoals(tag, entries);
  }
}

describe("group commit judges each call on committed state only (issue 19.3)", () => {
  it("regression: a link after a batch-mate's failed link of the same session is linked, not refused as CONFLICT", async () => {
    const palace = new InMemoryGoalMemory({ latency: "yield" });
    const store = await storeOver(palace);
    const goal = await store.create("link twice");
    palace.failNextWrites(1, "reject");
    const results = await Promise.allSettled([
      store.link(goal.id, { sessionId: "s1", task: "first try" }),
      store.link(goal.id, { sessionId: "s1", task: "second try" }),
    ]);
    expect(results.map(outcomeOf)).toEqual(["PALACE/notCommitted", "ok"]);
    expect(store.get(goal.id)?.sessions.map((link) => [link.sessionId, link.task])).toEqual([["s1", "second try"]]);
  });

  it("regression: a close after a batch-mate's failed update is judged on the committed, verified session", async () => {
    const palace = new InMemoryGoalMemory({ latency: "yield" });
    const store = await storeOver(palace);
    const goal = await store.create("close it");
    await store.link(goal.id, { sessionId: "s1", task: "work", state: "verified", evidence: "green" });
    palace.failNextWrites(1, "reject");
    const results = await Promise.allSettled([
      store.update(goal.id, { sessionId: "s1", state: "running", evidence: "again" }),
      store.close(goal.id),
    ]);
    expect(results.map(outcomeOf)).toEqual(["PALACE/notCommitted", "ok"]);
    expect(store.get(goal.id)?.status).toBe("done");
  });

  it("regression: expectedRevision is compared with the committed revision, not a batch-mate's failed one", async () => {
    const palace = new InMemoryGoalMemory({ latency: "yield" });
    const store = await storeOver(palace);
    const goal = await store.create("strict");
    palace.failNextWrites(1, "reject");
    const results = await Promise.allSettled([
      store.note(goal.id, "lost"),
      store.note(goal.id, "strict note", { expectedRevision: 1 }),
    ]);
    expect(results.map(outcomeOf)).toEqual(["PALACE/notCommitted", "ok"]);
    expect(store.get(goal.id)?.notes).toEqual(["strict note"]);
    expect(store.get(goal.id)?.revision).toBe(2);
  });

  it("an entry chained on a batch-mate that was not committed is tried on its own", async () => {
    const palace = new InMemoryGoalMemory({ latency: "yield" });
    const store = await storeOver(palace);
    const goal = await store.create("chained");
    palace.failNextWrites(1, "reject");
    const results = await Promise.allSettled([store.note(goal.id, "first"), store.note(goal.id, "second")]);
    expect(results.map(outcomeOf)).toEqual(["PALACE/notCommitted", "ok"]);
    expect(store.get(goal.id)?.notes).toEqual(["second"]);
  });

  it("an entry chained on a batch-mate whose outcome is unknown is unknown too: never built again on a write that may land", async () => {
    const palace = new InMemoryGoalMemory({ latency: "yield" });
    const store = await storeOver(palace, { palaceTimeoutMs: 200 });
    const goal = await store.create("unknown");
    palace.failNextWrites(1, "hang");
    const results = await Promise.allSettled([store.note(goal.id, "first"), store.note(goal.id, "second")]);
    expect(results.map(outcomeOf)).toEqual(["PALACE/unknown", "PALACE/unknown"]);
    expect(palace.writes).toBe(1); // the create only: the follower was not written alone
  });

  it("regression: a call refused as stale and run again is heard and settled before the calls after it", async () => {
    const palace = new InterferingPalace({ latency: "yield" });
    const store = await storeOver(palace);
    const other = await storeOver(palace);
    const [contended, calm] = [await store.create("contended"), await store.create("calm")];
    await other.flush(); // the other store has seen both goals
    const heard: string[] = [];
    store.subscribe((change: GoalChange) => {
      if (change.origin === "local") heard.push(change.goal.notes.at(-1) ?? "");
    });
    const settled: string[] = [];
    palace.interfere = async () => {
      await other.note(contended.id, "theirs");
    };
    await Promise.all([
      store.note(contended.id, "mine first").then(() => settled.push("mine first")),
      store.note(calm.id, "calm second").then(() => settled.push("calm second")),
    ]);
    expect(heard).toEqual(["mine first", "calm second"]);
    expect(settled).toEqual(["mine first", "calm second"]);
    expect(store.get(contended.id)?.notes).toEqual(["theirs", "mine first"]);
  });
});
