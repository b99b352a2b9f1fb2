import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { GoalStore } from "../../src/index.js";
import { rustGoal } from "../helpers.js";

/** The built bin; `npm test` builds first. */
export const BIN = resolve(import.meta.dirname, "..", "..", "dist", "cli.js");

/** What one run of the bin did. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built bin as a user's shell would, without a terminal. The timeout
 * only ends a run that hangs (a FIFO), so that the test fails instead of stalling.
 */
export function cli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const { GOAL_STORE_ROOT: _ignored, ...inherited } = process.env;
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...inherited, ...env }, timeout: 60_000, maxBuffer: 1 << 30 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A goal in the wire format (what goals.json holds), with overrides. */
export function wireGoal(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return rustGoal({ id, description: `goal ${id}`, status: "pending", revision: 1, ...overrides });
}

/** Writes `<root>/sm/goals.json` holding `entries` (compact: big lists stay quick). */
export async function writeGoalsJson(root: string, entries: readonly unknown[]): Promise<string> {
  await mkdir(join(root, "sm"), { recursive: true });
  const file = join(root, "sm", "goals.json");
  await writeFile(file, JSON.stringify(entries));
  return file;
}

/** `count` goals with ids g-00000000… in order. */
export function manyGoals(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => wireGoal(`g-${i.toString(16).padStart(16, "0")}`));
}

/** The scenario the watch and PostgreSQL CLI tests show: one goal waiting on s2, one done. */
export async function seedScenario(store: GoalStore): Promise<{ waiting: string; done: string }> {
  const goal = await store.create("Ship the login page", ["tests pass"]);
  await store.link(goal.id, { sessionId: "s1", task: "implement", state: "verified", evidence: "PR #12" });
  await store.link(goal.id, { sessionId: "s2", task: "document" });
  const done = await store.create("Migrate billing");
  await store.link(done.id, { sessionId: "s3", task: "migrate", state: "verified" });
  await store.close(done.id);
  await store.flush();
  return { waiting: goal.id, done: done.id };
}
