import { describe, expect, it } from "vitest";
import { GoalNotFoundError, GoalStore, type GoalMemory, type PalaceEvent } from "../../src/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { settleAfterTest, tempRoot, waitFor } from "../helpers.js";

// Issue 18: every palace entry a store reads goes through one rule, the codec
// under the store's limits.goalSize: at load, from the feed, in the re-list
// after a feed gap, in a refresh and in a read-back. A goal a store skips at
// load must not come in any other way.

const SMALL = { limits: { goalSize: 2_000 } };
const BIG_DESCRIPTION = "d".repeat(5_000);

describe("one decoding rule for every palace entry", () => {
  it("regression: a goal over limits.goalSize that the feed reports is not taken, as at load", async () => {
    const palace = new InMemoryGoalMemory();
    const writer = settleAfterTest(await GoalStore.load(palace, await tempRoot()));
    const bounded = settleAfterTest(await GoalStore.load(palace, await tempRoot(), SMALL));
    const big = await writer.create(BIG_DESCRIPTION);
    const small = await writer.create("small");
    await waitFor(() => bounded.get(small.id) !== undefined);
    expect(bounded.get(big.id)).toBeUndefined();
    // As a load of the same palace under the same limits sees it.
    const loaded = settleAfterTest(await GoalStore.load(palace, await tempRoot(), SMALL));
    expect(loaded.get(big.id)).toBeUndefined();
    expect(loaded.loadReport?.skipped).toEqual([expect.objectContaining({ goalId: big.id })]);
  });

  it("regression: the re-list after a feed gap skips a goal over limits.goalSize", async () => {
    const palace = new InMemoryGoalMemory();
    let report: ((event: PalaceEvent) => void) | undefined;
    // The bounded store's feed reports nothing but the gap the test sends.
    const gapOnly: GoalMemory = {
      rememberGoal: (json, tag, key) => palace.rememberGoal(json, tag, key),
      listGoals: (tag) => palace.listGoals(tag),
      readGoal: (tag, goalId) => palace.readGoal(tag, goalId),
      watchGoals: (_tag, onEvent) => {
        report = onEvent;
        return { close: () => {} };
      },
    };
    const bounded = settleAfterTest(await GoalStore.load(gapOnly, await tempRoot(), SMALL));
    const writer = settleAfterTest(await GoalStore.load(palace, await tempRoot()));
    const big = await writer.create(BIG_DESCRIPTION);
    const small = await writer.create("small");
    expect(bounded.get(small.id)).toBeUndefined();
    report?.({ kind: "gap" });
    await waitFor(() => bounded.get(small.id) !== undefined);
    expect(bounded.get(big.id)).toBeUndefined();
  });

  it("regression: a refresh does not take a goal over limits.goalSize: the goal stays unknown to the store", async () => {
    const palace = new InMemoryGoalMemory();
    const writer = settleAfterTest(await GoalStore.load(palace, await tempRoot()));
    const big = await writer.create(BIG_DESCRIPTION);
    const bounded = settleAfterTest(await GoalStore.load(palace, await tempRoot(), SMALL));
    expect(bounded.get(big.id)).toBeUndefined();
    // Not held, so the mutation refreshes the goal from the palace first.
    await expect(bounded.note(big.id, "n")).rejects.toBeInstanceOf(GoalNotFoundError);
    expect(bounded.get(big.id)).toBeUndefined();
    expect(bounded.all()).toEqual([]);
  });
});
