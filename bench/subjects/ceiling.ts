import { decodeGoal, encodeGoal } from "../../src/wire/codec.js";
import { GOAL_TAG, type Goal } from "../../src/index.js";
import { compareIds } from "../../src/model.js";
import { SerialQueue } from "../serial-queue.js";
import { nextGoal } from "../apply-rules.js";
import type { SubjectFactory } from "../subject.js";

/**
 * The ceiling: the same validation, rules and compare-and-set palace writes,
 * one at a time, and no file at all.
 */
export const ceilingSubject: SubjectFactory = async ({ palace, preload, clock }) => {
  const goals = new Map<string, Goal>(preload.map((wire) => [wire.id, decodeGoal(wire)]));
  const queue = new SerialQueue();
  return {
    cacheFile: undefined,
    apply: (operation) =>
      queue.run(async () => {
        const goal = nextGoal(operation, (id) => goals.get(id), clock());
        const base = goals.get(goal.id)?.revision ?? null;
        await palace.rememberGoal(encodeGoal(goal), GOAL_TAG, { goalId: goal.id, revision: goal.revision, base });
        goals.set(goal.id, goal);
      }),
    flush: async () => {},
    state: () => [...goals.values()].sort((a, b) => compareIds(a.id, b.id)),
    close: async () => {},
  };
};
