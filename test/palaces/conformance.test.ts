import { describe, expect, it } from "vitest";
import type { GoalKey, GoalMemory } from "../../src/index.js";
import { palaceConformance, type PalaceConformanceOptions } from "../../src/testing/index.js";

/** Runs the suite with a collecting registrar; returns each rule's outcome. */
async function outcomes<M extends GoalMemory>(
  make: () => M,
  options: PalaceConformanceOptions<M> = {},
): Promise<Map<string, "pass" | "fail">> {
  const registered: [string, () => Promise<void>][] = [];
  palaceConformance((name, body) => registered.push([name, body]), make, options);
  const results = new Map<string, "pass" | "fail">();
  for (const [name, body] of registered) {
    results.set(name, await body().then(() => "pass" as const, () => "fail" as const));
  }
  return results;
}

function failing(results: Map<string, "pass" | "fail">): string[] {
  return [...results].filter(([, outcome]) => outcome === "fail").map(([name]) => name);
}

/** A correct minimal compare-and-set palace, the base the broken ones bend. */
class MapPalace implements GoalMemory {
  readonly rows = new Map<string, { revision: number; json: string }>();
  ignoreTag = false;
  // The defect goal-store 0.1's palaces had: keep the newest revision, and
  // resolve without keeping anything when the incoming one is not newer.
  newestWinsSilently = false;
  // A blind upsert: keeps whatever it is given.
  ignoreBase = false;
  broken = false;

  async rememberGoal(json: string, tag: string, key?: GoalKey): Promise<void> {
    if (this.broken) throw new Error("broken");
    const id = `${this.ignoreTag ? "" : tag}\u0000${key?.goalId ?? json}`;
    const held = this.rows.get(id)?.revision;
    const revision = key?.revision ?? 0;
    if (this.newestWinsSilently) {
      if (held === undefined || held <= revision) this.rows.set(id, { revision, json });
      return;
    }
    if (!this.ignoreBase && (key?.base ?? undefined) !== held) {
      throw Object.assign(new Error(`stale: held ${held}`), { code: "STALE" });
    }
    this.rows.set(id, { revision, json });
  }

  async listGoals(tag: string): Promise<string[]> {
    if (this.broken) throw new Error("broken");
    return [...this.rows].filter(([id]) => this.ignoreTag || id.startsWith(`${tag}\u0000`)).map(([, row]) => row.json);
  }
}

describe("palaceConformance catches broken adapters", () => {
  it("a correct adapter passes every rule", async () => {
    const results = await outcomes(() => new MapPalace(), {
      reopen: (palace) => palace,
      breakPalace: (palace) => {
        palace.broken = true;
      },
    });
    expect(failing(results)).toEqual([]);
    expect(results.size).toBeGreaterThanOrEqual(10);
  });

  it("an adapter that ignores tags fails the tag rule", async () => {
    const results = await outcomes(() => Object.assign(new MapPalace(), { ignoreTag: true }));
    expect(failing(results)).toContain("listGoals(tag) returns only goals remembered under tag");
  });

  it("an adapter without compare-and-set (a blind upsert) fails the compare-and-set and two-store rules", async () => {
    const results = await outcomes(() => Object.assign(new MapPalace(), { ignoreBase: true }));
    expect(failing(results)).toEqual([
      "compare-and-set: creating a goal that exists rejects with code STALE and keeps nothing",
      "compare-and-set: a write built on an older revision rejects with code STALE and keeps nothing",
      "compare-and-set: of two writers racing on the same base, exactly one is kept",
      "two stores on one palace: every acknowledged mutation of both is kept",
    ]);
  });

  it("an adapter that resolves without keeping an older revision (goal-store 0.1's upsert) fails the same rules", async () => {
    const results = await outcomes(() => Object.assign(new MapPalace(), { newestWinsSilently: true }));
    expect(failing(results)).toEqual([
      "compare-and-set: creating a goal that exists rejects with code STALE and keeps nothing",
      "compare-and-set: a write built on an older revision rejects with code STALE and keeps nothing",
      "compare-and-set: of two writers racing on the same base, exactly one is kept",
      "two stores on one palace: every acknowledged mutation of both is kept",
    ]);
  });

  it("an adapter that forgets on reopen fails the durability rule", async () => {
    const results = await outcomes(() => new MapPalace(), { reopen: () => new MapPalace() });
    expect(failing(results)).toEqual(["durable: entries survive closing and reopening the palace"]);
  });

  it("an adapter that throws synchronously fails the rejection rule", async () => {
    class SyncThrower extends MapPalace {
      override rememberGoal(json: string, tag: string, key?: GoalKey): Promise<void> {
        if (this.broken) throw new Error("sync");
        return super.rememberGoal(json, tag, key);
      }
    }
    const results = await outcomes(() => new SyncThrower(), {
      breakPalace: (palace) => {
        palace.broken = true;
      },
    });
    expect(failing(results)).toContain("failures surface as rejected promises, never as synchronous throws");
  });
});
