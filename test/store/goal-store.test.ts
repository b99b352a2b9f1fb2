import { readFile, rm } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ConflictError, GoalNotFoundError, GoalStore, GoalStoreError, PalaceError, VerificationGateError, type Goal } from "../../src/index.js";
import { decodeGoal } from "../../src/wire/index.js";
import { freshStore, settleAfterTest, steppingClock } from "../helpers.js";

async function readCache(store: GoalStore): Promise<Goal[]> {
  return (JSON.parse(await readFile(store.cacheFile, "utf8")) as unknown[]).map(decodeGoal);
}

async function linkedGoal(store: GoalStore, sessions = 3): Promise<Goal> {
  const goal = await store.create("Ship the feature", ["tests pass"]);
  for (let i = 1; i <= sessions; i++) await store.link(goal.id, { sessionId: `s${i}`, task: `task ${i}` });
  return store.get(goal.id) as Goal;
}

describe("create", () => {
  it("assigns a g- + 16 hex id that survives a reload", async () => {
    const { store, palace, root } = await freshStore();
    const goal = await store.create("Ship it");
    expect(goal.id).toMatch(/^g-[0-9a-f]{16}$/);
    expect(goal).toMatchObject({ status: "pending", progress: 0, revision: 1, sessions: [], notes: [], acceptance: [] });
    const reloaded = settleAfterTest(await GoalStore.load(palace, root));
    expect(reloaded.get(goal.id)).toEqual(goal);
  });

  it("ids are distinct across many creates", async () => {
    const { store } = await freshStore();
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) ids.add((await store.create(`goal ${i}`)).id);
    expect(ids.size).toBe(200);
  });

  it("normalises the description and trims acceptance items", async () => {
    const { store } = await freshStore();
    const goal = await store.create("  Ship\n\tthe   login\r\n page  ", ["  tests pass ", "docs"]);
    expect(goal.description).toBe("Ship the login page");
    expect(goal.acceptance).toEqual(["tests pass", "docs"]);
  });

  it("takes created and updated from the injected clock", async () => {
    const { store } = await freshStore({ clock: () => new Date("2030-01-02T03:04:05.006Z") });
    const goal = await store.create("d");
    expect(goal.created.toISOString()).toBe("2030-01-02T03:04:05.006Z");
    expect(goal.updated.toISOString()).toBe("2030-01-02T03:04:05.006Z");
  });
});

describe("link and update", () => {
  it("link 3, verify 1: progress 33 and inProgress", async () => {
    const { store } = await freshStore();
    const goal = await linkedGoal(store);
    expect(goal.status).toBe("inProgress");
    expect(goal.sessions.map((s) => s.state)).toEqual(["launched", "launched", "launched"]);
    const updated = await store.update(goal.id, { sessionId: "s1", state: "verified" });
    expect(updated.progress).toBe(33);
    expect(updated.status).toBe("inProgress");
    expect((await store.update(goal.id, { sessionId: "s2", state: "verified" })).progress).toBe(67);
  });

  it("link takes an initial state and evidence; ids and tasks are stored trimmed", async () => {
    const { store } = await freshStore();
    const goal = await store.create("d");
    const linked = await store.link(goal.id, { sessionId: " s1 ", task: " build ", state: "running", evidence: "log" });
    expect(linked.sessions).toEqual([{ sessionId: "s1", task: "build", state: "running", evidence: "log" }]);
    await expect(store.link(goal.id, { sessionId: "s1", task: "again" })).rejects.toBeInstanceOf(ConflictError);
  });

  it("update sets state, evidence and note; evidence undefined leaves it, null clears it", async () => {
    const { store } = await freshStore();
    const goal = await linkedGoal(store, 1);
    const updated = await store.update(goal.id, {
      sessionId: "s1",
      state: "verified",
      evidence: "PR #7 merged, CI green",
      note: "  decided to skip the migration ",
    });
    expect(updated.sessions[0]).toMatchObject({ state: "verified", evidence: "PR #7 merged, CI green" });
    expect(updated.notes).toEqual(["decided to skip the migration"]);
    expect(updated.progress).toBe(100);
    expect((await store.update(goal.id, { sessionId: "s1" })).sessions[0]?.evidence).toBe("PR #7 merged, CI green");
    expect((await store.update(goal.id, { sessionId: " s1 ", evidence: null })).sessions[0]?.evidence).toBeNull();
  });

  it("evidence is stored exactly as given", async () => {
    const { store } = await freshStore();
    const goal = await linkedGoal(store, 1);
    const evidence = "  line 1\n  line 2\t\n";
    expect((await store.update(goal.id, { sessionId: "s1", evidence })).sessions[0]?.evidence).toBe(evidence);
  });

  it("unknown goal and unknown session are NOT_FOUND", async () => {
    const { store } = await freshStore();
    const missing = store.link("g-missing", { sessionId: "s", task: "t" });
    await expect(missing).rejects.toBeInstanceOf(GoalNotFoundError);
    await expect(missing).rejects.toMatchObject({ code: "NOT_FOUND", goalId: "g-missing", sessionId: undefined });
    const goal = await linkedGoal(store, 1);
    await expect(store.update(goal.id, { sessionId: "nope", state: "verified" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      goalId: goal.id,
      sessionId: "nope",
    });
    await expect(store.note("g-missing", "n")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(store.close("g-missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("verification gate", () => {
  it("refuses to close with verified/total and leaves the goal unchanged", async () => {
    const { store, palace } = await freshStore();
    const goal = await linkedGoal(store, 2);
    await store.update(goal.id, { sessionId: "s1", state: "verified" });
    const before = store.get(goal.id);
    const writes = palace.writes;
    const error: unknown = await store.close(goal.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationGateError);
    expect(error).toMatchObject({ code: "VERIFICATION_GATE", goalId: goal.id, verified: 1, total: 2 });
    expect((error as Error).message).toContain("1/2 sessions verified");
    expect(store.get(goal.id)).toEqual(before);
    expect(palace.writes).toBe(writes);
  });

  it("refuses to close a goal with no links", async () => {
    const { store } = await freshStore();
    const goal = await store.create("d");
    await expect(store.close(goal.id)).rejects.toMatchObject({ code: "VERIFICATION_GATE", verified: 0, total: 0 });
  });

  it("all verified: done with progress 100", async () => {
    const { store } = await freshStore();
    const goal = await linkedGoal(store, 2);
    await store.update(goal.id, { sessionId: "s1", state: "verified", evidence: "a" });
    await store.update(goal.id, { sessionId: "s2", state: "verified", evidence: "b" });
    const closed = await store.close(goal.id);
    expect(closed).toMatchObject({ status: "done", progress: 100 });
  });

  it("blocked and abandoned are ungated", async () => {
    const { store } = await freshStore();
    const goal = await linkedGoal(store, 2);
    expect((await store.setStatus(goal.id, "blocked")).status).toBe("blocked");
    expect((await store.setStatus(goal.id, "abandoned")).status).toBe("abandoned");
    expect((await store.setStatus(goal.id, "inProgress")).status).toBe("inProgress");
  });

  it("keeps done ⇒ all verified: refuses an unverified link or update until reopened", async () => {
    const { store } = await freshStore();
    const goal = await linkedGoal(store, 1);
    await store.update(goal.id, { sessionId: "s1", state: "verified" });
    await store.close(goal.id);
    const before = store.get(goal.id);
    await expect(store.link(goal.id, { sessionId: "s2", task: "more" })).rejects.toMatchObject({
      code: "VERIFICATION_GATE",
      verified: 1,
      total: 2,
    });
    await expect(store.update(goal.id, { sessionId: "s1", state: "failed" })).rejects.toMatchObject({
      code: "VERIFICATION_GATE",
      verified: 0,
      total: 1,
    });
    expect(store.get(goal.id)).toEqual(before);
    await store.setStatus(goal.id, "inProgress");
    expect((await store.link(goal.id, { sessionId: "s2", task: "more" })).sessions).toHaveLength(2);
  });
});

describe("revision and timestamps", () => {
  it("revision is 1 on create and +1 per committed mutation; refused calls do not count", async () => {
    const { store } = await freshStore();
    const goal = await store.create("d");
    await store.link(goal.id, { sessionId: "s1", task: "t" });
    await store.note(goal.id, "n");
    await store.close(goal.id).catch(() => undefined);
    await store.update(goal.id, { sessionId: "s1", state: "verified" });
    const closed = await store.close(goal.id);
    expect(closed.revision).toBe(5);
    expect(closed.updated.getTime()).toBeGreaterThan(closed.created.getTime());
  });
});

describe("dual persistence", () => {
  it("upserts the palace with key and JSON, and goals.json holds the goal after flush", async () => {
    const { store, palace } = await freshStore();
    const goal = await linkedGoal(store, 1);
    expect(palace.entries("sm-goal")).toHaveLength(1);
    const stored = JSON.parse(palace.entries("sm-goal")[0] as string) as Record<string, unknown>;
    expect(stored).toMatchObject({ id: goal.id, revision: 2, status: "inProgress" });
    await store.flush();
    expect(await readCache(store)).toEqual([goal]);
  });

  it("goals.json is pretty JSON sorted by id", async () => {
    const { store } = await freshStore();
    for (let i = 0; i < 5; i++) await store.create(`goal ${i}`);
    await store.flush();
    const text = await readFile(store.cacheFile, "utf8");
    const parsed = JSON.parse(text) as { id: string }[];
    expect(text).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
    expect(parsed.map((goal) => goal.id)).toEqual(store.all().map((goal) => goal.id));
    expect([...parsed.map((goal) => goal.id)].sort()).toEqual(parsed.map((goal) => goal.id));
  });

  it("rebuild from the palace after goals.json is deleted equals the cache load rewrites", async () => {
    const { store, palace, root } = await freshStore();
    const goal = await linkedGoal(store, 3);
    await store.update(goal.id, { sessionId: "s2", state: "verified", evidence: "e" });
    await store.create("second");
    await store.flush();
    const before = store.all();
    await rm(store.cacheFile);

    const reloaded = settleAfterTest(await GoalStore.load(palace, root));
    expect(reloaded.all()).toEqual(before);
    expect(await readCache(reloaded)).toEqual(before);
    expect(reloaded.loadReport).toMatchObject({ source: "palace", goals: 2, skipped: [], duplicates: 0 });
  });

  it("palace down at load: falls back to goals.json", async () => {
    const { store, palace, root } = await freshStore();
    await linkedGoal(store, 2);
    await store.flush();
    palace.failNextLists(1);
    const degraded = settleAfterTest(await GoalStore.load(palace, root));
    expect(degraded.all()).toEqual(store.all());
    expect(degraded.loadReport?.source).toBe("cache");
    expect(degraded.loadReport?.palaceError).toBeInstanceOf(PalaceError);
  });

  it("palace down and no goals.json: an empty store", async () => {
    const palace = (await freshStore()).palace;
    palace.failNextLists(1, "throw");
    const { root } = await freshStore();
    const store = settleAfterTest(await GoalStore.load(palace, root));
    expect(store.all()).toEqual([]);
    expect(store.loadReport).toMatchObject({ source: "cache", goals: 0 });
  });
});

describe("commit rule", () => {
  it("a palace write failure rejects with PALACE, cause kept", async () => {
    const { store, palace } = await freshStore();
    const cause = new Error("disk full");
    palace.failNextWrites(1, "reject", cause);
    const error: unknown = await store.create("d").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PalaceError);
    expect(error).toBeInstanceOf(GoalStoreError);
    expect((error as PalaceError).cause).toBe(cause);
  });

  it("a failed create leaves no phantom goal, in memory, in the palace or in goals.json", async () => {
    const { store, palace } = await freshStore();
    await store.create("kept");
    await store.flush();
    const cacheBefore = await readFile(store.cacheFile, "utf8");
    palace.failNextWrites(1);
    await expect(store.create("phantom")).rejects.toMatchObject({ code: "PALACE" });
    expect(store.all()).toHaveLength(1);
    expect(palace.entries("sm-goal")).toHaveLength(1);
    await store.flush();
    expect(await readFile(store.cacheFile, "utf8")).toBe(cacheBefore);
  });

  it.each([
    ["link", (s: GoalStore, id: string) => s.link(id, { sessionId: "s9", task: "t" })],
    ["update", (s: GoalStore, id: string) => s.update(id, { sessionId: "s1", state: "verified", note: "n" })],
    ["note", (s: GoalStore, id: string) => s.note(id, "n")],
    ["setStatus", (s: GoalStore, id: string) => s.setStatus(id, "blocked")],
    ["close", (s: GoalStore, id: string) => s.close(id)],
  ])("a failed %s leaves the goal deep-equal to before", async (_name, mutate) => {
    const { store, palace } = await freshStore();
    const goal = await linkedGoal(store, 1);
    await store.update(goal.id, { sessionId: "s1", state: "verified" });
    const before = store.all();
    for (const kind of ["reject", "throw"] as const) {
      palace.failNextWrites(1, kind);
      await expect(mutate(store, goal.id)).rejects.toMatchObject({ code: "PALACE" });
      expect(store.all()).toEqual(before);
    }
  });

  it("mutators never throw synchronously", async () => {
    const { store, palace } = await freshStore();
    palace.failNextWrites(1, "throw");
    const pending = store.create("d");
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toMatchObject({ code: "PALACE" });
    const invalid = (store.create as (d: unknown) => Promise<Goal>)(42);
    expect(invalid).toBeInstanceOf(Promise);
    await expect(invalid).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});

describe("copies", () => {
  it("mutating a returned goal (arrays, nested links, Dates) does not change the store", async () => {
    const { store } = await freshStore();
    const goal = await linkedGoal(store, 1);
    const snapshot = store.get(goal.id);
    for (const copy of [goal, store.get(goal.id) as Goal, store.all()[0] as Goal]) {
      copy.acceptance.push("x");
      copy.notes.push("x");
      copy.sessions.push({ sessionId: "x", task: "x", state: "verified", evidence: null });
      (copy.sessions[0] as Goal["sessions"][number]).state = "verified";
      copy.created.setFullYear(1999);
      copy.updated.setTime(0);
      copy.status = "done";
      copy.description = "changed";
    }
    expect(store.get(goal.id)).toEqual(snapshot);
    expect(store.get(goal.id)?.created.getUTCFullYear()).toBe(2026);
  });

  it("a caller mutating its own arguments after the call cannot change what is stored", async () => {
    const { store } = await freshStore();
    const acceptance = ["a"];
    const pending = store.create("d", acceptance);
    acceptance.push("late");
    expect((await pending).acceptance).toEqual(["a"]);
  });

  it("the clock's Date is copied", async () => {
    const shared = new Date("2026-01-01T00:00:00Z");
    const { store } = await freshStore({ clock: () => shared });
    const goal = await store.create("d");
    shared.setFullYear(2000);
    expect(store.get(goal.id)?.created.toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("new GoalStore", () => {
  it("starts empty without I/O and has no load report", async () => {
    const { palace, root } = await freshStore();
    const store = new GoalStore(palace, root, { clock: steppingClock() });
    const lists = palace.lists;
    expect(store.all()).toEqual([]);
    expect(store.loadReport).toBeUndefined();
    expect(palace.lists).toBe(lists);
  });

  it("get on an unknown or non-string id is undefined", async () => {
    const { store } = await freshStore();
    expect(store.get("g-nope")).toBeUndefined();
    expect((store.get as (id: unknown) => Goal | undefined)(42)).toBeUndefined();
  });
});
