import { join } from "node:path";
import { mkdir } from "node:fs/promises";
import { decodeGoal, encodeGoal, goalToWire } from "../../src/wire/codec.js";
import { replaceFile } from "../../src/cache/replace-file.js";
import { GOAL_TAG, type Goal } from "../../src/index.js";
import { compareIds } from "../../src/model.js";
import { SerialQueue } from "../serial-queue.js";
import { nextGoal } from "../apply-rules.js";
import type { SubjectFactory } from "../subject.js";

/**
 * The Rust original's algorithm ported as is: after every mutation, write the
 * palace, then re-serialise every goal and atomically rewrite all of goals.json,
 * one mutation at a time (the Rust store holds `&mut self` throughout).
 */
export const naivePortSubject: SubjectFactory = async ({ palace, root, preload, clock }) => {
  const goals = new Map<string, Goal>(preload.map((wire) => [wire.id, decodeGoal(wire)]));
  const cacheFile = join(root, "sm", "goals.json");
  await mkdir(join(root, "sm"), { recursive: true, mode: 0o700 });
  const all = () => [...goals.values()].sort((a, b) => compareIds(a.id, b.id));
  const persistCache = () =>
    replaceFile(cacheFile, [Buffer.from(`${JSON.stringify(all().map(goalToWire), null, 2)}\n`)], 0o600);
  await persistCache();
  const queue = new SerialQueue();
  return {
    cacheFile,
    apply: (operation) =>
      queue.run(async () => {
        const goal = nextGoal(operation, (id) => goals.get(id), clock());
        await palace.rememberGoal(encodeGoal(goal), GOAL_TAG, { goalId: goal.id, revision: goal.revision });
        goals.set(goal.id, goal);
        await persistCache();
      }),
    flush: async () => {},
    state: all,
    close: async () => {},
  };
};
