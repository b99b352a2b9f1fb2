import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { GoalStore, type Goal } from "../../src/index.js";
import { decodeGoal, encodeGoal, goalToWire } from "../../src/wire/index.js";
import { parseRfc3339 } from "../../src/wire/timestamp.js";
import { goalFixture, InMemoryGoalMemory } from "../../src/testing/index.js";
import { settleAfterTest, tempRoot } from "../helpers.js";

const sample: Goal = goalFixture({
  description: "Ship it",
  status: "inProgress",
  acceptance: ["tests pass"],
  sessions: [
    { sessionId: "s1", task: "build", state: "verified", evidence: "PR #1" },
    { sessionId: "s2", task: "test", state: "running", evidence: null },
  ],
  progress: 50,
  created: new Date("2026-06-16T12:00:00.000Z"),
  updated: new Date("2026-06-16T12:00:01.250Z"),
  notes: ["a note"],
  revision: 3,
});

describe("codec", () => {
  it("round-trips a goal through the palace JSON", () => {
    expect(decodeGoal(JSON.parse(encodeGoal(sample)))).toEqual(sample);
  });

  it("writes the Rust serde keys in the Rust order, with revision last", () => {
    const wire = goalToWire(sample);
    expect(Object.keys(wire)).toEqual([
      "id", "description", "status", "acceptance", "sessions", "progress", "created", "updated", "notes", "revision",
    ]);
    expect(wire.sessions[0]).toEqual({ session_id: "s1", task: "build", state: "verified", evidence: "PR #1" });
    expect(wire.sessions[1]?.evidence).toBeNull();
    expect(wire.created).toBe("2026-06-16T12:00:00.000Z");
  });

  it("recomputes progress on read instead of trusting the stored value", () => {
    const wire = { ...goalToWire(sample), progress: 99 };
    expect(decodeGoal(wire).progress).toBe(50);
    expect(decodeGoal({ ...wire, progress: "garbage" }).progress).toBe(50);
  });

  it("defaults missing acceptance/sessions/notes to [], evidence to null, revision to 0; ignores unknown keys", () => {
    const goal = decodeGoal({
      id: "g-1",
      description: "d",
      status: "pending",
      created: "2026-06-16T12:00:00Z",
      updated: "2026-06-16T12:00:00Z",
      extra: { nested: true },
    });
    expect(goal).toMatchObject({ acceptance: [], sessions: [], notes: [], revision: 0 });
    expect(goal).not.toHaveProperty("extra");
    const withLink = decodeGoal({
      ...goalToWire(sample),
      sessions: [{ session_id: "s", task: "t", state: "running" }],
    });
    expect(withLink.sessions[0]?.evidence).toBeNull();
  });

  it("rejects unknown enum values, missing required keys and bad timestamps", () => {
    const wire = goalToWire(sample);
    expect(() => decodeGoal({ ...wire, status: "Done" })).toThrow();
    expect(() => decodeGoal({ ...wire, status: "in_progress" })).toThrow();
    expect(() => decodeGoal({ ...wire, id: "" })).toThrow();
    expect(() => decodeGoal({ ...wire, created: "yesterday" })).toThrow();
    expect(() => decodeGoal({ ...wire, created: "June 16 2026" })).toThrow();
    const { description: _description, ...missing } = wire;
    expect(() => decodeGoal(missing)).toThrow();
  });
});

describe("parseRfc3339", () => {
  it("accepts Z, offsets and 0 to 9 fractional digits", () => {
    expect(parseRfc3339("2026-06-16T12:00:00Z")?.toISOString()).toBe("2026-06-16T12:00:00.000Z");
    expect(parseRfc3339("2026-06-16T12:00:00.123456789Z")?.toISOString()).toBe("2026-06-16T12:00:00.123Z");
    expect(parseRfc3339("2026-06-16T12:00:00.5Z")?.toISOString()).toBe("2026-06-16T12:00:00.500Z");
    expect(parseRfc3339("2026-06-16T12:00:00+02:00")?.toISOString()).toBe("2026-06-16T10:00:00.000Z");
    expect(parseRfc3339("2026-06-16T12:00:00.25-05:30")?.toISOString()).toBe("2026-06-16T17:30:00.250Z");
    expect(parseRfc3339("2024-02-29T00:00:00Z")?.toISOString()).toBe("2024-02-29T00:00:00.000Z");
  });

  it("rejects what is not RFC 3339 or not a real instant", () => {
    for (const text of [
      "2026-06-16",
      "2026-06-16T12:00:00",
      "2026-06-16T12:00:00.1234567890Z",
      "2026-02-30T00:00:00Z",
      "2025-02-29T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-06-16T24:00:00Z",
      "2026-06-16T12:60:00Z",
      "2026-06-16T12:00:00+24:00",
      "Tue, 16 Jun 2026 12:00:00 GMT",
      "",
    ]) {
      expect(parseRfc3339(text), text).toBeUndefined();
    }
  });
});

describe("reading a goals.json written by the Rust original", () => {
  it("loads every goal with the palace down", async () => {
    const root = await tempRoot();
    const cacheFile = join(root, "sm", "goals.json");
    await mkdir(dirname(cacheFile), { recursive: true });
    await writeFile(cacheFile, await readFile(new URL("../fixtures/rust-goals.json", import.meta.url)));
    const palace = new InMemoryGoalMemory();
    palace.failNextLists(1);

    const store = settleAfterTest(await GoalStore.load(palace, root));

    expect(store.loadReport).toMatchObject({ source: "cache", goals: 2, skipped: [], duplicates: 0 });
    expect(store.loadReport?.palaceError?.code).toBe("PALACE");
    const legacy = store.get("g-0a1b2c3d");
    expect(legacy).toMatchObject({
      status: "inProgress",
      progress: 33,
      revision: 0,
      acceptance: ["cargo test passes"],
      notes: ["chose serde for the wire format"],
    });
    expect(legacy?.sessions).toEqual([
      { sessionId: "sess-1", task: "write the parser", state: "verified", evidence: "PR #42" },
      { sessionId: "sess-2", task: "write the docs", state: "running", evidence: null },
      { sessionId: "sess-3", task: "review", state: "launched", evidence: null },
    ]);
    expect(legacy?.created.toISOString()).toBe("2026-06-16T12:00:00.000Z");
    expect(legacy?.updated.toISOString()).toBe("2026-06-16T12:00:00.123Z");
    const minimal = store.get("g-1f2e3d4c5b6a7988");
    expect(minimal).toMatchObject({ acceptance: [], sessions: [], notes: [], revision: 0, progress: 0 });
    expect(minimal?.created.toISOString()).toBe("2026-06-16T10:00:00.000Z");
    expect(store.all().map((goal) => goal.id)).toEqual(["g-0a1b2c3d", "g-1f2e3d4c5b6a7988"]);
  });

  it("a Rust goal (revision 0) takes revision 1 on its first TypeScript mutation", async () => {
    const root = await tempRoot();
    const palace = new InMemoryGoalMemory();
    const fixture = JSON.parse(await readFile(new URL("../fixtures/rust-goals.json", import.meta.url), "utf8")) as unknown[];
    for (const entry of fixture) await palace.rememberGoal(JSON.stringify(entry), "sm-goal");
    const store = settleAfterTest(await GoalStore.load(palace, root));
    const updated = await store.update("g-0a1b2c3d", { sessionId: "sess-2", state: "verified" });
    expect(updated.revision).toBe(1);
    expect(updated.progress).toBe(67);
  });
});
