// Issue 19 item 10: README says goal-store 0.1 palace files are readable, yet
// the CLI handed its read-only connection to SqliteGoalMemory, whose
// constructor upgraded the table (ALTER TABLE … ADD COLUMN seq): list, show,
// check and watch exited 1 with "attempt to write a readonly database".
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GOAL_TAG, GoalStore } from "../../src/index.js";
import { SqliteGoalMemory } from "../../src/palace/sqlite/index.js";
import { tempRoot } from "../helpers.js";
import { palaceColumns, writeAs0_1 } from "../support/sqlite-0.1.js";
import { BIN, cli, seedScenario } from "./cli-helpers.js";
import { waitFor } from "./postgres-helpers.js";

/** A 0.1 palace file holding the seeded scenario's entries (written through a store, then copied row by row as 0.1 kept them). */
async function seed0_1(): Promise<{ file: string; waiting: string; entries: string[] }> {
  const root = await tempRoot();
  const scratch = new SqliteGoalMemory(join(root, "scratch.sqlite"));
  const store = await GoalStore.load(scratch, root);
  const { waiting } = await seedScenario(store);
  await store.dispose();
  const entries = await scratch.listGoals(GOAL_TAG);
  scratch.close();
  const file = join(root, "palace-0.1.sqlite");
  writeAs0_1(file, entries);
  return { file, waiting, entries };
}

describe("goal-store --sqlite on a goal-store 0.1 palace", { timeout: 120_000 }, () => {
  it("regression: list, show, check and watch read it and exit 0, leaving the file as 0.1 wrote it (was: exit 1, attempt to write a readonly database)", async () => {
    const { file, waiting, entries } = await seed0_1();

    const list = cli(["list", "--sqlite", file]);
    expect(list.stderr).toBe("");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${waiting}\\s+inProgress\\s+50%\\s+1/2`));

    const show = cli(["show", waiting, "--sqlite", file]);
    expect(show.stderr).toBe("");
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("s1  verified  implement  [evidence: PR #12]");

    const check = cli(["check", "--sqlite", file]);
    expect(check.stdout).toBe(`palace ${file}: 2 goals read\nok: no problems found\n`);
    expect(check.code).toBe(0);

    const child = spawn(process.execPath, [BIN, "watch", "--sqlite", file], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => child.on("close", resolveExit));
    try {
      await waitFor("the initial lines, or watch to end", () => (stdout.split("\n").length >= 3 || child.exitCode !== null ? true : undefined));
      expect(stderr).toBe("");
      expect(stdout).toMatch(new RegExp(`${waiting}  inProgress  50%  1/2 verified  r3  waits: s2`));
      // A 0.1 writer moves the goal on: s2 verified, as 0.1 kept it (no commit sequence).
      const entry = JSON.parse(entries.find((json) => json.includes(waiting)) as string) as { revision: number; sessions: { state: string }[] };
      entry.revision += 1;
      for (const session of entry.sessions) session.state = "verified";
      writeAs0_1(file, [JSON.stringify(entry)]);
      await waitFor("the change line", () => (stdout.includes(`${waiting}  inProgress  100%  2/2 verified  r4  can close`) ? true : undefined));
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe("");
    expect(palaceColumns(file)).toEqual(["tag", "goal_id", "revision", "json"]);
  });
});
