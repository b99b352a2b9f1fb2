import { describe, expect, it } from "vitest";
import { GoalStore, InvalidInputError, type Goal } from "../../src/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { freshStore, tempRoot } from "../helpers.js";

// Calls as a plain-JavaScript caller could make them: any value for any argument.
type Loose = (...args: unknown[]) => Promise<Goal>;
const loose = (store: GoalStore, method: "create" | "link" | "update" | "note" | "setStatus"): Loose =>
  (store[method] as Loose).bind(store);

describe("bad input is INVALID_INPUT with nothing written", () => {
  const cases: [string, (store: GoalStore, id: string) => Promise<Goal>][] = [
    ["empty description", (s) => loose(s, "create")("   \n\t ")],
    ["non-string description", (s) => loose(s, "create")(42)],
    ["acceptance not an array", (s) => loose(s, "create")("d", "tests pass")],
    ["blank acceptance item", (s) => loose(s, "create")("d", ["ok", "  "])],
    ["non-string acceptance item", (s) => loose(s, "create")("d", [1])],
    ["oversized description", (s) => loose(s, "create")("x".repeat(16_385))],
    ["empty goal id", (s) => loose(s, "note")("", "n")],
    ["non-string goal id", (s) => loose(s, "note")({ id: "g" }, "n")],
    ["blank note", (s, id) => loose(s, "note")(id, " \n ")],
    ["oversized note", (s, id) => loose(s, "note")(id, "n".repeat(16_385))],
    ["link without sessionId", (s, id) => loose(s, "link")(id, { task: "t" })],
    ["link with blank task", (s, id) => loose(s, "link")(id, { sessionId: "s", task: "  " })],
    ["link with unknown state", (s, id) => loose(s, "link")(id, { sessionId: "s", task: "t", state: "Verified" })],
    ["link with a misspelt key", (s, id) => loose(s, "link")(id, { sessionId: "s", task: "t", evidense: "x" })],
    ["link with non-string evidence", (s, id) => loose(s, "link")(id, { sessionId: "s", task: "t", evidence: 5 })],
    ["link not an object", (s, id) => loose(s, "link")(id, "s1")],
    ["update with unknown state", (s, id) => loose(s, "update")(id, { sessionId: "s1", state: "done" })],
    ["update with blank note", (s, id) => loose(s, "update")(id, { sessionId: "s1", note: "" })],
    ["update with oversized evidence", (s, id) => loose(s, "update")(id, { sessionId: "s1", evidence: "e".repeat(1_048_577) })],
    ["update with a misspelt key", (s, id) => loose(s, "update")(id, { sessionId: "s1", status: "verified" })],
    ["update null", (s, id) => loose(s, "update")(id, null)],
    ["setStatus unknown status", (s, id) => loose(s, "setStatus")(id, "closed")],
    ["setStatus wrong case", (s, id) => loose(s, "setStatus")(id, "InProgress")],
  ];

  it.each(cases)("%s", async (_name, call) => {
    const { store, palace } = await freshStore();
    const goal = await store.create("d");
    await store.link(goal.id, { sessionId: "s1", task: "t" });
    const before = store.all();
    const writes = palace.writes;
    const error: unknown = await call(store, goal.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: "INVALID_INPUT" });
    expect((error as InvalidInputError).issues.length).toBeGreaterThan(0);
    expect(store.all()).toEqual(before);
    expect(palace.writes).toBe(writes);
  });

  it("validation comes first: bad input on an unknown goal is INVALID_INPUT, not NOT_FOUND", async () => {
    const { store } = await freshStore();
    await expect(loose(store, "setStatus")("g-missing", "closed")).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(loose(store, "update")("g-missing", { sessionId: "" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  it("the issues carry the path of the bad field", async () => {
    const { store } = await freshStore();
    const goal = await store.create("d");
    const error = (await loose(store, "link")(goal.id, { sessionId: "s", task: "" }).catch((e: unknown) => e)) as InvalidInputError;
    expect(error.issues[0]?.path).toEqual(["link", "task"]);
    expect(error.message).toContain("link.task");
  });

  it("limits are configurable", async () => {
    const { store } = await freshStore({ limits: { text: 10, evidence: 5 } });
    await expect(store.create("12345678901")).rejects.toMatchObject({ code: "INVALID_INPUT" });
    const goal = await store.create("1234567890");
    await expect(store.link(goal.id, { sessionId: "s", task: "t", evidence: "123456" })).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    expect((await store.link(goal.id, { sessionId: "s", task: "t", evidence: "12345" })).sessions).toHaveLength(1);
  });

  it("a limit applies after trimming", async () => {
    const { store } = await freshStore({ limits: { text: 3 } });
    expect((await store.create("   abc   ")).description).toBe("abc");
  });
});

describe("constructor arguments", () => {
  it.each([
    ["memory missing methods", () => new GoalStore({} as never, "/tmp/x")],
    ["memory null", () => new GoalStore(null as never, "/tmp/x")],
    ["empty dataRoot", () => new GoalStore(new InMemoryGoalMemory(), "")],
    ["clock not a function", () => new GoalStore(new InMemoryGoalMemory(), "/tmp/x", { clock: 5 as never })],
    ["zero limit", () => new GoalStore(new InMemoryGoalMemory(), "/tmp/x", { limits: { text: 0 } })],
    ["unknown option", () => new GoalStore(new InMemoryGoalMemory(), "/tmp/x", { cachefile: "x" } as never)],
  ])("%s fails fast with INVALID_INPUT", (_name, build) => {
    expect(build).toThrow(InvalidInputError);
  });

  it("says what was expected and what was given", () => {
    expect(() => new GoalStore(new InMemoryGoalMemory(), "/tmp/x", { clock: 5 as never })).toThrow(
      /Expected clock to be a function, got number/,
    );
  });

  it("load rejects (does not throw) on bad arguments", async () => {
    const loading = GoalStore.load(new InMemoryGoalMemory(), "");
    await expect(loading).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("a clock that returns an invalid Date makes the mutation fail with INVALID_INPUT, nothing written", async () => {
    const palace = new InMemoryGoalMemory();
    const store = new GoalStore(palace, await tempRoot(), { clock: () => new Date(NaN) });
    await expect(store.create("d")).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(palace.writes).toBe(0);
    expect(store.all()).toEqual([]);
  });
});
