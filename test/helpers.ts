import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { GoalStore, type GoalStoreOptions } from "../src/index.js";
import { InMemoryGoalMemory, type InMemoryGoalMemoryOptions } from "../src/testing/index.js";

const created: string[] = [];
const stores: GoalStore[] = [];

afterEach(async () => {
  // Let background goals.json writes finish before their folders go away.
  await Promise.all(stores.splice(0).map((store) => store.flush().catch(() => undefined)));
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })));
});

/** Registers a store whose background cache writes must settle before cleanup. */
export function settleAfterTest<T extends GoalStore>(store: T): T {
  stores.push(store);
  return store;
}

/** A fresh temporary data root, removed after the test. */
export async function tempRoot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "goal-store-test-"));
  created.push(dir);
  return dir;
}

/** A clock that starts at a fixed instant and advances one second per call. */
export function steppingClock(start = Date.UTC(2026, 5, 16, 12, 0, 0)): () => Date {
  let next = start;
  return () => {
    const now = new Date(next);
    next += 1000;
    return now;
  };
}

/** A store over a fresh in-memory palace and a fresh data root. */
export async function freshStore(
  options: GoalStoreOptions = {},
  memoryOptions: InMemoryGoalMemoryOptions = {},
): Promise<{ store: GoalStore; palace: InMemoryGoalMemory; root: string }> {
  const palace = new InMemoryGoalMemory(memoryOptions);
  const root = await tempRoot();
  const store = settleAfterTest(await GoalStore.load(palace, root, { clock: steppingClock(), ...options }));
  return { store, palace, root };
}

/** Resolves once `condition()` holds, checking every few milliseconds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A goal as the Rust original writes it (wire format, no revision), `fields` overriding. */
export function rustGoal(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "g-1234abcd",
    description: "from Rust",
    status: "inProgress",
    acceptance: [],
    sessions: [],
    progress: 0,
    created: "2026-06-16T12:00:00Z",
    updated: "2026-06-16T12:00:00Z",
    notes: [],
    ...fields,
  };
}
