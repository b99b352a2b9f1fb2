import { execFileSync, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { GoalStore } from "../../src/index.js";
import { PostgresGoalMemory } from "../../src/palace/postgres/index.js";
import { tempRoot } from "../helpers.js";
import { BIN, seedScenario, type CliRun } from "./cli-helpers.js";

const dist = resolve(import.meta.dirname, "..", "..", "dist");

/** What {@link seedPostgres} made: a data root mirroring the palace, one goal waiting on s2 and one done. */
export interface PostgresSeed {
  root: string;
  waiting: string;
  done: string;
}

/** Seeds a PostgreSQL palace in `schema` through a real GoalStore, which also writes `<root>/sm/goals.json`. */
export async function seedPostgres(url: string, schema: string): Promise<PostgresSeed> {
  const root = await tempRoot();
  const palace = new PostgresGoalMemory(url, { schema });
  try {
    const store = await GoalStore.load(palace, root);
    const seeded = await seedScenario(store);
    await store.dispose();
    return { root, ...seeded };
  } finally {
    await palace.close();
  }
}

/**
 * Another process commits to the palace: s2 of `goalId` becomes verified. Its
 * data root is a fresh one, so the seed's goals.json is left behind as it was.
 */
export async function commitElsewhere(url: string, schema: string, goalId: string): Promise<void> {
  const root = await tempRoot();
  const script = join(root, "commit.mjs");
  await writeFile(
    script,
    `import { GoalStore } from ${JSON.stringify(pathToFileURL(join(dist, "index.js")).href)};
     import { PostgresGoalMemory } from ${JSON.stringify(pathToFileURL(join(dist, "postgres.js")).href)};
     const palace = new PostgresGoalMemory(${JSON.stringify(url)}, { schema: ${JSON.stringify(schema)} });
     const store = await GoalStore.load(palace, ${JSON.stringify(root)});
     await store.update(${JSON.stringify(goalId)}, { sessionId: "s2", state: "verified", evidence: "docs merged" });
     await store.flush();
     await store.dispose();
     await palace.close();`,
  );
  execFileSync(process.execPath, [script], { stdio: "ignore", timeout: 60_000 });
}

/**
 * Runs the built bin without blocking the test's event loop (a server the
 * test runs must keep answering), with the time the run took.
 */
export function cliAsync(args: readonly string[], options: { cwd?: string; bin?: string } = {}): Promise<CliRun & { ms: number }> {
  const { GOAL_STORE_ROOT: _ignored, ...env } = process.env;
  const started = Date.now();
  const child = spawn(process.execPath, [options.bin ?? BIN, ...args], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // Ends a run that hangs, so that the test fails instead of stalling.
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolveRun) =>
    child.on("close", (code) => {
      clearTimeout(killer);
      resolveRun({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

/** Polls `probe` until it returns something, or fails after `timeoutMs` (generous: the machine may be loaded). */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last === undefined ? "" : `: ${String(last)}`}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}
