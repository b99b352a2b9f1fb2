import { describe, expect, it } from "vitest";
import { runMultiWriter, type MultiWriterStats } from "./multi-writer-run.js";
import { soakSeed } from "./soak-seed.js";

// Issue 11: several processes, each a real GoalStore over one SQLite file and
// one goals.json, on a handful of shared goals; the whole history is judged by
// the reference model (multi-writer-check.ts). GOAL_STORE_SOAK_SEED replays
// the writers' choices (the interleaving is the OS's).
const seed = soakSeed([], process.env);
const size = { operations: 40, goals: 4, seed };

describe(`multi-writer: processes sharing one SQLite palace and goals.json (seed ${seed})`, () => {
  it("3 writers: revisions unique, contiguous, each the model's replay; nothing lost or duplicated; all converge", async () => {
    const stats = await runMultiWriter({ ...size, processes: 3, kill: "none" });
    expect(stats).toMatchObject({ processes: 3, kills: 0, operations: 120, unknown: 0, lost: 0, duplicated: 0 });
    expect(stats.acknowledged).toBeGreaterThan(0);
    expect(stats.acknowledged + stats.refused).toBe(120);
  }, 60_000);

  it("4 writers, one SIGKILLed inside a palace write after it committed: its op counted once, the rest as above", async () => {
    const stats = await runMultiWriter({ ...size, processes: 4, kill: "afterCommit" });
    expect(stats).toMatchObject({ processes: 4, kills: 1, unknown: 1, unknownCommitted: 1, lost: 0, duplicated: 0 });
  }, 60_000);

  it("4 writers, one SIGKILLed wherever it is: nothing lost or duplicated", async () => {
    const stats = await runMultiWriter({ ...size, processes: 4, kill: "anywhere" });
    expect(stats).toMatchObject({ processes: 4, kills: 1, lost: 0, duplicated: 0 });
  }, 60_000);

  // The checker itself: a palace that breaks the contract must fail the run.
  it.each([
    ["resolveWithoutKeeping", "lost"],
    ["staleAfterKeeping", "duplicated"],
  ] as const)("a palace that %s fails the run with %s mutations", async (palaceFault, figure) => {
    const failure = await runMultiWriter({ ...size, processes: 3, kill: "none", palaceFault }).then(
      () => undefined,
      (error: unknown) => error as Error & { stats?: MultiWriterStats },
    );
    expect(failure?.message).toMatch(/violations/);
    expect(failure?.stats?.[figure]).toBeGreaterThan(0);
  }, 60_000);
});
