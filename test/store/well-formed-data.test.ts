import { readFile } from "node:fs/promises";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { GOAL_TAG, GoalStore, InvalidInputError, RevisionOverflowError } from "../../src/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { freshStore, settleAfterTest, steppingClock, tempRoot, rustGoal } from "../helpers.js";

// Issue 13: nothing the store writes can break a reader (ours or the Rust original's).

const LONE_SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/i;

function rustEntry(fields: Record<string, unknown>): string {
  return JSON.stringify(rustGoal(fields));
}

describe("lone UTF-16 surrogates become U+FFFD", () => {
  it("in every caller string: palace entries and goals.json hold no lone surrogate", async () => {
    const { store, palace } = await freshStore();
    const goal = await store.create("cut \ud83d", ["item \udc00"]);
    await store.link(goal.id, { sessionId: "s\ud800", task: "t\udfff", evidence: "out\ud83d" });
    const done = await store.update(goal.id, { sessionId: "s\ud800", state: "verified", note: "n\ud83d" });
    expect(done.description).toBe("cut \ufffd");
    expect(done.acceptance).toEqual(["item \ufffd"]);
    expect(done.sessions[0]).toMatchObject({ sessionId: "s\ufffd", task: "t\ufffd", evidence: "out\ufffd" });
    expect(done.notes).toEqual(["n\ufffd"]);
    await store.flush();
    for (const entry of palace.entries(GOAL_TAG)) expect(entry).not.toMatch(LONE_SURROGATE_ESCAPE);
    expect(await readFile(store.cacheFile, "utf8")).not.toMatch(LONE_SURROGATE_ESCAPE);
  });

  it("in loaded entries: the rewritten goals.json holds none", async () => {
    const palace = new InMemoryGoalMemory();
    await palace.rememberGoal(rustEntry({ description: "bad \ud800 text", notes: ["\udc01"] }), GOAL_TAG);
    const store = settleAfterTest(await GoalStore.load(palace, await tempRoot()));
    expect(store.get("g-1234abcd")?.description).toBe("bad \ufffd text");
    await store.flush();
    expect(await readFile(store.cacheFile, "utf8")).not.toMatch(LONE_SURROGATE_ESCAPE);
  });
});

describe("timestamps stay within years 0000–9999", () => {
  it.each([
    ["year 10000", Date.UTC(10000, 0, 1)],
    ["year -1", -62_167_219_200_001],
  ])("a clock at %s is INVALID_INPUT and nothing is written", async (_, time) => {
    let now = Date.UTC(2026, 5, 16);
    const { store, palace } = await freshStore({ clock: () => new Date(now) });
    const goal = await store.create("x");
    now = time;
    const writes = palace.writes;
    await expect(store.note(goal.id, "late")).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.create("y")).rejects.toBeInstanceOf(InvalidInputError);
    expect(palace.writes).toBe(writes);
  });

  it("a loaded instant past 9999 through its offset is kept in range, and the goal survives a reload from goals.json", async () => {
    const palace = new InMemoryGoalMemory();
    await palace.rememberGoal(rustEntry({ updated: "9999-12-31T23:30:00-01:00" }), GOAL_TAG);
    const root = await tempRoot();
    const store = settleAfterTest(await GoalStore.load(palace, root));
    expect(store.get("g-1234abcd")?.updated.toISOString()).toBe("9999-12-31T23:59:59.999Z");
    await store.flush();
    palace.failNextLists(1);
    const fromCache = settleAfterTest(await GoalStore.load(palace, root));
    expect(fromCache.loadReport?.source).toBe("cache");
    expect(fromCache.get("g-1234abcd")).toBeDefined();
  });
});

describe("revisions stay below Number.MAX_SAFE_INTEGER", () => {
  it("a change past it is refused with REVISION_OVERFLOW and writes nothing", async () => {
    const palace = new InMemoryGoalMemory();
    await palace.rememberGoal(rustEntry({ revision: Number.MAX_SAFE_INTEGER - 1 }), GOAL_TAG);
    const store = settleAfterTest(await GoalStore.load(palace, await tempRoot()));
    const writes = palace.writes;
    const error = await store.note("g-1234abcd", "one more").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RevisionOverflowError);
    expect(error).toMatchObject({ code: "REVISION_OVERFLOW", goalId: "g-1234abcd" });
    expect(palace.writes).toBe(writes);
  });
});

describe("clocks and odd Dates", () => {
  it("a Date from another realm is accepted", async () => {
    const foreign = runInNewContext("new Date(Date.UTC(2026, 5, 16))") as Date;
    const { store } = await freshStore({ clock: () => foreign });
    expect((await store.create("x")).created.toISOString()).toBe("2026-06-16T00:00:00.000Z");
  });

  it("a clock that throws is INVALID_INPUT with what it threw as cause", async () => {
    const thrown = Object.create(null) as object;
    let fail = false;
    const clock = steppingClock();
    const { store } = await freshStore({ clock: () => (fail ? (() => { throw thrown; })() : clock()) });
    const goal = await store.create("x");
    fail = true;
    const error = await store.note(goal.id, "n").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).cause).toBe(thrown);
  });
});
