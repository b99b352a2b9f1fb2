import { join } from "node:path";
import { mkdir } from "node:fs/promises";
import { Low } from "lowdb";
import { JSONFile } from "lowdb/node";
import { decodeGoal, encodeGoal, goalToWire, type WireGoal } from "../../src/wire/codec.js";
import { GOAL_TAG } from "../../src/index.js";
import { compareIds } from "../../src/model.js";
import { SerialQueue } from "../serial-queue.js";
import { nextGoal } from "../apply-rules.js";
import type { SubjectFactory } from "../subject.js";

/**
 * What a TypeScript developer would reach for: lowdb 7 holding the goals as its
 * JSON array. Each mutation validates, writes the palace, changes `db.data` (one
 * at a time) and awaits `db.write()`, which serialises the whole array; steno
 * coalesces the file writes of concurrent callers.
 */
export const lowdbSubject: SubjectFactory = async ({ palace, root, preload, clock }) => {
  await mkdir(join(root, "sm"), { recursive: true, mode: 0o700 });
  const cacheFile = join(root, "sm", "goals.json");
  const db = new Low<WireGoal[]>(new JSONFile<WireGoal[]>(cacheFile), []);
  db.data = preload.map((wire) => structuredClone(wire));
  await db.write();
  const queue = new SerialQueue();
  const find = (id: string) => {
    const wire = db.data.find((goal) => goal.id === id);
    return wire === undefined ? undefined : decodeGoal(wire);
  };
  return {
    cacheFile,
    async apply(operation) {
      // Read-modify-write must not interleave across the palace await, or
      // concurrent callers lose each other's updates; the file write may.
      await queue.run(async () => {
        const goal = nextGoal(operation, find, clock());
        await palace.rememberGoal(encodeGoal(goal), GOAL_TAG, { goalId: goal.id, revision: goal.revision });
        const wire = goalToWire(goal);
        const index = db.data.findIndex((existing) => existing.id === goal.id);
        if (index === -1) db.data.push(wire);
        else db.data[index] = wire;
      });
      await db.write();
    },
    flush: async () => {},
    state: () => db.data.map((wire) => decodeGoal(wire)).sort((a, b) => compareIds(a.id, b.id)),
    close: async () => {},
  };
};
