import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { GoalStore } from "../../src/index.js";
import { SqliteGoalMemory } from "../../src/palace/sqlite/index.js";
import { tempRoot } from "../helpers.js";
import { cli, wireGoal, writeGoalsJson } from "./cli-helpers.js";

const repo = resolve(import.meta.dirname, "..", "..");

describe("goal-store CLI conventions", { timeout: 60_000 }, () => {
  it("--version prints the package version (regression: unknown option)", async () => {
    const { version } = JSON.parse(await readFile(join(repo, "package.json"), "utf8")) as { version: string };
    const run = cli(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });

  it("help is a command, alone or about one command (regression: unknown command)", () => {
    const general = cli(["help"]);
    expect(general.code).toBe(0);
    expect(general.stdout).toBe(cli(["--help"]).stdout);
    const check = cli(["help", "check"]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("verification gate");
    expect(check.stdout).toContain("a session linked more than once");
  });

  it("an unknown or misspelt option gets one line and a hint (regression: parseArgs text and the whole usage)", () => {
    const misspelt = cli(["list", "--rot", "/tmp"]);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toBe("goal-store: unknown option --rot; did you mean --root?\n");
    const unknown = cli(["list", "--frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(cli(["lsit"]).stderr).toBe('goal-store: unknown command "lsit"; did you mean list?\n');
  });

  it("an option followed by another option is missing its value, and says so (regression, issue 23: \"list takes no arguments\")", async () => {
    const root = await tempRoot();
    const run = cli(["list", "--sqlite", "--root", root]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("goal-store: option --sqlite needs a value\n");
    // A value that starts with "--" is still given with "=".
    const inline = cli(["list", "--sqlite=--palace.sqlite"]);
    expect(inline.code).toBe(1);
    expect(inline.stderr).toContain("palace --palace.sqlite could not be read: file not found");
  });

  it("a bare list reads GOAL_STORE_ROOT, or says exactly what to pass (regression: usage dump)", async () => {
    const root = await tempRoot();
    await writeGoalsJson(root, [wireGoal("g-00000001", { description: "from the environment" })]);
    const fromEnv = cli(["list"], { GOAL_STORE_ROOT: root });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain("from the environment");
    const bare = cli(["list"]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toBe(
      "goal-store: list needs data to read: pass --root DIR (the data root holding sm/goals.json), --sqlite FILE or --postgres URL, or set GOAL_STORE_ROOT\n",
    );
  });

  it("show accepts a unique id prefix and lists the candidates of an ambiguous one (regression: exact ids only)", async () => {
    const root = await tempRoot();
    await writeGoalsJson(root, [wireGoal("g-c9f70001"), wireGoal("g-c9f70002"), wireGoal("g-aaaa0001", { description: "the only a" })]);
    const unique = cli(["show", "g-aa", "--root", root]);
    expect(unique.code).toBe(0);
    expect(unique.stdout).toContain("the only a");
    const ambiguous = cli(["show", "g-c9f7", "--root", root]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('"g-c9f7" matches 2 goals');
    expect(ambiguous.stderr).toContain("g-c9f70001");
    expect(ambiguous.stderr).toContain("g-c9f70002");
  });

  it("list --status filters and --sort orders, newest first by time (regression: options unknown)", async () => {
    const root = await tempRoot();
    await writeGoalsJson(root, [
      wireGoal("g-00000001", { status: "done", updated: "2026-06-16T12:00:00Z", created: "2026-06-16T09:00:00Z" }),
      wireGoal("g-00000002", { status: "blocked", updated: "2026-06-16T14:00:00Z", created: "2026-06-16T08:00:00Z" }),
      wireGoal("g-00000003", { status: "pending", updated: "2026-06-16T13:00:00Z", created: "2026-06-16T10:00:00Z" }),
    ]);
    const ids = (args: string[]) => [...cli(["list", "--root", root, ...args]).stdout.matchAll(/^g-\S+/gm)].map((m) => m[0]);
    expect(ids(["--status", "done,blocked"])).toEqual(["g-00000001", "g-00000002"]);
    expect(ids(["--sort", "updated"])).toEqual(["g-00000002", "g-00000003", "g-00000001"]);
    expect(ids(["--sort", "created"])).toEqual(["g-00000003", "g-00000001", "g-00000002"]);
    expect(ids(["--sort", "id"])).toEqual(["g-00000001", "g-00000002", "g-00000003"]);
    const bad = cli(["list", "--root", root, "--status", "dne"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("did you mean done?");
  });

  it("--sqlite falls back to goals.json when the palace cannot be read, as the library does (regression: exit 1)", async () => {
    const root = await tempRoot();
    await writeGoalsJson(root, [wireGoal("g-00000001", { description: "mirrored" })]);
    const run = cli(["list", "--sqlite", join(root, "missing.sqlite"), "--root", root]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("mirrored");
    expect(run.stderr).toContain("showing goals.json instead");
  });

  it("--json works for list and check", async () => {
    const root = await tempRoot();
    const palace = new SqliteGoalMemory(join(root, "palace.sqlite"));
    const store = await GoalStore.load(palace, root);
    await store.create("json everywhere");
    await store.flush();
    palace.close();
    for (const args of [["list"], ["check"], ["list", "--status", "pending"]]) {
      const run = cli([...args, "--root", root, "--json"]);
      expect(run.code, args.join(" ")).toBe(0);
      expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
    }
  });
});
