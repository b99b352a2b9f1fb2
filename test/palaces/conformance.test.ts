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

/** A correct minimal upserting palace, the base the broken ones bend. */
class MapPalace implements GoalMemory {
  readonly rows = new Map<string, { revision: number; json: string }>();
  ignoreTag = false;
  ignoreRevision = false;
  broken = false;

  async rememberGoal(json: string, tag: string, key?: GoalKey): Promise<void> {
    if (this.broken) throw new Error("broken");
    const id = `${this.ignoreTag ? "" : tag}\u0000${key?.goalId ?? json}`;
    const existing = this.rows.get(id);
    if (this.ignoreRevision || existing === undefined || existing.revision <= (key?.revision ?? 0)) {
      this.rows.set(id, { revision: key?.revision ?? 0, json });
    }
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

  it("an adapter that lets an older revision overwrite a newer one fails the newest-revision rule", async () => {
    const results = await outcomes(() => Object.assign(new MapPalace(), { ignoreRevision: true }));
    expect(failing(results)).toEqual(["GoalStore.load over the adapter sees the newest revision of every goal"]);
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
