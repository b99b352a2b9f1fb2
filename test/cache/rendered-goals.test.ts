import { describe, expect, it } from "vitest";
import { RenderedGoals } from "../../src/cache/rendered-goals.js";
import { CommittedGoals } from "../../src/store/committed-goals.js";
import { goalFixture } from "../../src/testing/fixtures.js";
import { goalToWire } from "../../src/wire/index.js";
import type { Goal } from "../../src/index.js";

const text = (chunks: readonly Buffer[]) => Buffer.concat(chunks).toString("utf8");
const expected = (goals: readonly Goal[]) => (goals.length === 0 ? "[]\n" : `${JSON.stringify(goals.map(goalToWire), null, 2)}\n`);

describe("RenderedGoals (the per-goal bytes of goals.json)", () => {
  it("renders a goal replaced by another object of the same revision anew: a fragment belongs to the object it was rendered from", async () => {
    const goals = new CommittedGoals();
    const rendered = new RenderedGoals();
    goals.put(goalFixture({ id: "g-1", description: "first", revision: 3 }));
    goals.put(goalFixture({ id: "g-2", description: "other", revision: 1 }));
    expect(text(await rendered.render(goals))).toBe(expected([...goals.goals()]));
    // Same id and revision, other content (say, a reload): the cached bytes must not be reused.
    goals.put(goalFixture({ id: "g-1", description: "second", revision: 3 }));
    const again = text(await rendered.render(goals));
    expect(again).toContain('"description": "second"');
    expect(again).toBe(expected([...goals.goals()]));
  });

  it("shows an overlay goal that is newer or unknown in its place, and the view's again once the overlay is gone", async () => {
    const goals = new CommittedGoals();
    const rendered = new RenderedGoals();
    const mine = goalFixture({ id: "g-2", revision: 1 });
    goals.put(mine);
    const newer = goalFixture({ id: "g-2", description: "newer", revision: 2 });
    const unknown = goalFixture({ id: "g-1", description: "unknown here", revision: 1 });
    const overlay = new Map([[newer.id, newer], [unknown.id, unknown]]);
    expect(text(await rendered.render(goals, overlay))).toBe(expected([unknown, newer]));
    expect(text(await rendered.render(goals))).toBe(expected([mine]));
  });

  it("renders no goals as an empty array", async () => {
    expect(text(await new RenderedGoals().render(new CommittedGoals()))).toBe("[]\n");
  });
});
