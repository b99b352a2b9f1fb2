import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { formatGoalTable } from "../../src/index.js";
import { decodeGoal } from "../../src/wire/codec.js";
import { tempRoot } from "../helpers.js";
import { BIN, cli, manyGoals, wireGoal, writeGoalsJson } from "./cli-helpers.js";

// What agents can write: OSC 52 (sets the clipboard), an OSC title, BEL, a
// colour, a C1 CSI, a bidi override, and a line break.
const HOSTILE = "pwned\x1b]52;c;ZXZpbA==\x07\x1b]0;title\x07\x1b[8mhidden\x1b[0m\x9b31m\u202eevil";
const HOSTILE_EVIDENCE = `${HOSTILE}\nsecond line\nthird line`;

// Any control character (C0 other than the newlines we print, DEL, C1) or bidi override.
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

describe("goal-store CLI safety", { timeout: 60_000 }, () => {
  it("list and show neutralise escape sequences and control characters from agents; --json stays exact (regression: printed raw)", async () => {
    const root = await tempRoot();
    await writeGoalsJson(root, [
      wireGoal("g-00000001", {
        description: HOSTILE,
        status: "inProgress",
        sessions: [{ session_id: "s1", task: `t${HOSTILE}`, state: "running", evidence: HOSTILE_EVIDENCE }],
        notes: [HOSTILE],
      }),
    ]);
    const list = cli(["list", "--root", root]);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toMatch(RAW_CONTROL);
    expect(list.stdout).toContain("pwned\\x1b]52;c;ZXZpbA==\\x07");
    expect(list.stdout.trimEnd().split("\n")).toHaveLength(2);

    const show = cli(["show", "g-00000001", "--root", root]);
    expect(show.code).toBe(0);
    expect(show.stdout).not.toMatch(RAW_CONTROL);
    expect(show.stdout).toContain("\\x9b31m\\u202eevil");
    // Multi-line evidence stays under its session, indented, instead of passing for new entries.
    const lines = show.stdout.split("\n");
    const second = lines.findIndex((line) => line.includes("second line"));
    expect(lines[second]).toMatch(/^ {6}second line$/);
    expect(lines[second + 1]).toMatch(/^ {6}third line\]$/);

    const json = JSON.parse(cli(["show", "g-00000001", "--root", root, "--json"]).stdout) as { description: string; sessions: { evidence: string }[] };
    expect(json.description).toBe(HOSTILE);
    expect(json.sessions[0]?.evidence).toBe(HOSTILE_EVIDENCE);
  });

  it.each([[["list"]], [["list", "--json"]]])("%j into a pipe closed early (| head -2) exits 0 quietly (regression: EPIPE stack trace, exit 1)", async (args) => {
    const root = await tempRoot();
    await writeGoalsJson(root, manyGoals(20_000));
    const child = spawn(process.execPath, [BIN, ...args, "--root", root], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // Read the first chunk, then close the pipe like `head` does.
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", (status) => resolve(status)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  }, 60_000);

  it("formatGoalTable and list handle 150,000 goals (regression: Math.max(...rows) overflowed the stack)", async () => {
    const wire = manyGoals(150_000);
    const table = formatGoalTable(wire.map((goal) => decodeGoal(goal)));
    expect(table.split("\n")).toHaveLength(150_001);
    const root = await tempRoot();
    await writeGoalsJson(root, wire);
    const list = cli(["list", "--root", root]);
    expect(list.stderr).toBe("");
    expect(list.code).toBe(0);
    expect(list.stdout.trimEnd().split("\n")).toHaveLength(150_001);
  }, 180_000);

  it("cuts long text on grapheme boundaries and aligns wide characters (regression: lone surrogates, misaligned CJK)", async () => {
    const root = await tempRoot();
    await writeGoalsJson(root, [
      wireGoal("g-00000001", { description: "🚀".repeat(30) }),
      wireGoal("g-00000002", { description: "漢字" }),
      wireGoal("g-00000003", { description: "ascii" }),
    ]);
    const list = cli(["list", "--root", root]);
    expect(list.stdout).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    const rocket = list.stdout.split("\n").find((line) => line.startsWith("g-00000001")) as string;
    expect(rocket.endsWith("🚀".repeat(23) + "…")).toBe(true);

    const table = formatGoalTable([
      decodeGoal(wireGoal("漢字漢字", { description: "a" })),
      decodeGoal(wireGoal("g-000001", { description: "b" })),
    ]);
    const [, wide, narrow] = table.split("\n") as [string, string, string];
    // Both status columns start at the same screen column: 8 columns of id either way.
    expect(wide.indexOf("pending") + 4).toBe(narrow.indexOf("pending"));
  });

  it("list says on stderr how many entries were skipped and where to look (regression: silent \"(no goals)\", exit 0)", async () => {
    const root = await tempRoot();
    await writeGoalsJson(root, [{ id: 42 }, wireGoal("g-00000001"), { nonsense: true }]);
    const list = cli(["list", "--root", root]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("g-00000001");
    expect(list.stderr).toContain("2 entries of goals.json");
    expect(list.stderr).toContain(`goal-store check --root ${root}`);

    const only = await tempRoot();
    await writeGoalsJson(only, [{ id: 42 }]);
    const empty = cli(["list", "--root", only]);
    expect(empty.stdout).toBe("(no goals)\n");
    expect(empty.stderr).toContain("1 entry of goals.json");
  });

  it("refuses a FIFO as goals.json instead of hanging (regression: waited forever)", async () => {
    const root = await tempRoot();
    await writeGoalsJson(root, []);
    const fifo = join(root, "sm", "goals.json");
    execFileSync("rm", [fifo]);
    execFileSync("mkfifo", [fifo]);
    for (const command of [["list"], ["show", "g-1"], ["check"]]) {
      const run = cli([...command, "--root", root]);
      expect(run.code, command.join(" ")).toBe(1);
      expect(run.stdout + run.stderr).toContain("is a FIFO (named pipe), not a regular file");
    }
    const palace = cli(["list", "--sqlite", fifo]);
    expect(palace.code).toBe(1);
    expect(palace.stderr).toContain("is a FIFO (named pipe), not a regular file");
  });

  it("refuses zero-byte, non-SQLite and foreign SQLite files by name (regression: \"attempt to write a readonly database\")", async () => {
    const dir = await tempRoot();
    const empty = join(dir, "empty.sqlite");
    const text = join(dir, "notes.txt");
    const foreign = join(dir, "foreign.sqlite");
    await writeFile(empty, "");
    await writeFile(text, "just some text, long enough to have a header");
    const database = new Database(foreign);
    database.exec("CREATE TABLE other (x INTEGER)");
    database.close();
    const expectations: [string, string][] = [
      [empty, "is empty (0 bytes), not a goal-store SQLite palace"],
      [text, "is not a SQLite database"],
      [foreign, "is a SQLite database but not a goal-store palace"],
    ];
    for (const [file, message] of expectations) {
      const run = cli(["list", "--sqlite", file]);
      expect(run.code, file).toBe(1);
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toContain("readonly database");
    }
  });

  it("regression: what the command line echoes is terminal-safe: an unknown option, --status, a command name, a file name (was: ESC, C1 and bidi controls passed through)", async () => {
    const root = await tempRoot();
    await writeGoalsJson(root, [wireGoal("g-00000001")]);
    const runs = [
      cli(["list", "--root", root, "--x\x1b]0;owned\x07"]),
      cli(["list", "--root", root, "--x=\x1b[8m"]),
      cli(["list", "--root", root, "--status", "done\x9b31m\u202e"]),
      cli(["list", "--root", root, "--sort", "id\x9b2J"]),
      cli(["li\u202est", "--root", root]),
      cli(["help", "sh\x9bow"]),
      cli(["list", "extra\x9b1m", "--root", root]),
      cli(["list", "--sqlite", join(root, "no\x1b[2Jsuch\u202e.sqlite")]),
    ];
    expect(runs.map((run) => run.stderr).filter((stderr) => RAW_CONTROL.test(stderr))).toEqual([]);
    for (const run of runs) {
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/^goal-store: /);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
    expect(runs[0]?.stderr).toContain("--x\\x1b]0;owned\\x07");
    expect(runs[2]?.stderr).toContain("\\x9b31m\\u202e");
  });

  it("check speaks in whole sentences about an unreadable source (regression: \"unreadable, goal(s)\")", async () => {
    const root = await tempRoot();
    const missing = cli(["check", "--root", root]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).not.toMatch(/unreadable,|\(s\)/);
    expect(missing.stdout).toContain("goals.json");
    expect(missing.stdout).toContain("1 problem:");
    await writeGoalsJson(root, [wireGoal("g-00000001"), { id: 42 }]);
    const one = cli(["check", "--root", root]);
    expect(one.stdout).not.toMatch(/\(s\)/);
    expect(one.stdout).toContain("1 goal read, 1 entry skipped");
  });
});
