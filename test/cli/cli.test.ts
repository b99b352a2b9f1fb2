import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GoalStore } from "../../src/index.js";
import { SqliteGoalMemory } from "../../src/palace/sqlite/index.js";
import { tempRoot } from "../helpers.js";
import { wireGoal } from "./cli-helpers.js";

// Runs the built bin, as a user's shell would (npm test builds first).
function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["dist/cli.js", ...args], { encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

// Every test spawns the bin (some four times, each a node start-up that opens
// SQLite): seconds apiece on a loaded machine, so a minute rather than vitest's
// default 5 s.
describe("goal-store CLI", { timeout: 60_000 }, () => {
  let root: string;
  let sqlite: string;
  let shipped: string;

  // Shared by the tests below, so not a tempRoot() (those go after each test).
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "goal-store-cli-"));
    sqlite = join(root, "palace.sqlite");
    const palace = new SqliteGoalMemory(sqlite);
    const store = await GoalStore.load(palace, root);
    const goal = await store.create("Ship the login page", ["tests pass"]);
    shipped = goal.id;
    await store.link(goal.id, { sessionId: "s1", task: "implement" });
    await store.link(goal.id, { sessionId: "s2", task: "document" });
    await store.update(goal.id, { sessionId: "s1", state: "verified", evidence: "PR #12" });
    await store.create("Migrate billing");
    await store.flush();
    palace.close();
  }, 60_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("list prints a table from goals.json, and JSON from the palace", () => {
    const table = cli("list", "--root", root);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+STATUS\s+PROGRESS\s+VERIFIED\s+UPDATED \(UTC\)/);
    expect(table.stdout).toMatch(new RegExp(`${shipped}\\s+inProgress\\s+50%\\s+1/2`));
    const json = cli("list", "--sqlite", sqlite, "--json");
    expect(json.code).toBe(0);
    const goals = JSON.parse(json.stdout) as { id: string; description: string }[];
    expect(goals.map((goal) => goal.description).sort()).toEqual(["Migrate billing", "Ship the login page"]);
  });

  it("show prints one goal in full, and exits 1 for an unknown id", () => {
    const shown = cli("show", shipped, "--sqlite", sqlite);
    expect(shown.stderr).toBe("");
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("Ship the login page");
    expect(shown.stdout).toContain("s1  verified  implement  [evidence: PR #12]");
    const json = JSON.parse(cli("show", shipped, "--root", root, "--json").stdout) as { sessions: { session_id: string }[] };
    expect(json.sessions.map((link) => link.session_id)).toEqual(["s1", "s2"]);
    const missing = cli("show", "g-0000000000000000", "--root", root);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no goal "g-0000000000000000"');
  });

  it("check passes when goals.json mirrors the palace, and says what is wrong when not", async () => {
    const clean = cli("check", "--root", root, "--sqlite", sqlite);
    expect(clean.stdout).toContain("ok: no problems found");
    expect(clean.code).toBe(0);

    // The palace moves on while goals.json does not, and goals.json gains a corrupt entry.
    const palace = new SqliteGoalMemory(sqlite);
    const store = await GoalStore.load(palace, root, { cacheFile: join(root, "elsewhere.json") });
    await store.note(shipped, "committed after the mirror was taken");
    await store.flush();
    palace.close();
    const cacheFile = join(root, "sm", "goals.json");
    const entries = JSON.parse(await readFile(cacheFile, "utf8")) as unknown[];
    await writeFile(cacheFile, JSON.stringify([...entries, { id: 42 }], null, 2));

    const dirty = cli("check", "--root", root, "--sqlite", sqlite);
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toContain("2 problems:");
    expect(dirty.stdout).toContain("goals.json entry 2 is corrupt and was skipped");
    expect(dirty.stdout).toMatch(new RegExp(`goal ${shipped} is at revision 5 in the palace but 4 in goals.json`));
    const json = JSON.parse(cli("check", "--root", root, "--sqlite", sqlite, "--json").stdout) as { ok: boolean; problems: string[] };
    expect(json).toMatchObject({ ok: false });
    expect(json.problems).toHaveLength(2);
  });

  it("check reports goals that break the gate or repeat a session, as Rust-written data can", async () => {
    const dataRoot = await tempRoot();
    const entry = (id: string, status: string, states: string[]) => ({
      id,
      description: "d",
      status,
      acceptance: [],
      sessions: states.map((state) => ({ session_id: "s1", task: "t", state, evidence: null })),
      progress: 0,
      created: "2026-06-16T12:00:00Z",
      updated: "2026-06-16T12:00:00Z",
      notes: [],
    });
    await mkdir(join(dataRoot, "sm"));
    await writeFile(
      join(dataRoot, "sm", "goals.json"),
      JSON.stringify([entry("g-00000001", "done", ["verified", "running"]), entry("g-00000002", "inProgress", ["running", "running"])]),
    );
    const result = cli("check", "--root", dataRoot);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("goals.json goal g-00000001 is done with 1/2 sessions verified");
    expect(result.stdout).toContain("goals.json goal g-00000002 links session s1 more than once");
  });

  it("check reports a goal withheld because its newest entry is unreadable", async () => {
    const dataRoot = await tempRoot();
    await mkdir(join(dataRoot, "sm"));
    await writeFile(
      join(dataRoot, "sm", "goals.json"),
      JSON.stringify([wireGoal("g-00000003", { revision: 1 }), wireGoal("g-00000003", { revision: 2, status: "finished" })]),
    );
    const result = cli("check", "--root", dataRoot);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("goals.json goal g-00000003 was not loaded: its newest entry is unreadable");
  });

  it("check reports an unreadable goals.json", async () => {
    const broken = await tempRoot();
    const result = cli("check", "--root", broken);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("could not be read: file not found");
  });

  it.each([
    [["frobnicate", "--root", "."], 'unknown command "frobnicate"'],
    [["show", "--root", "."], "show takes exactly one goal id"],
  ])("%j prints one line and exits 2", (args, message) => {
    const result = cli(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("a bare goal-store prints the usage on stderr and exits 2", () => {
    const result = cli();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: goal-store <command>");
  });

  it("--help prints usage and exits 0", () => {
    const result = cli("--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: goal-store <command>");
  });
});
