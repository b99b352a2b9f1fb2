import { execFileSync, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { GoalStore } from "../../src/index.js";
import { SqliteGoalMemory } from "../../src/palace/sqlite/index.js";
import { tempRoot } from "../helpers.js";
import { BIN, seedScenario } from "./cli-helpers.js";
import { stripSgr, terminal } from "./tmux-terminal.js";

const dist = resolve(import.meta.dirname, "..", "..", "dist");

/** Polls `probe` until it returns something, or fails after `timeoutMs` (generous: the machine may be loaded). */
async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last === undefined ? "" : `: ${String(last)}`}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

/** Seeds a data root with a SQLite palace and goals.json: one goal waiting on s2, one done. */
async function seed(): Promise<{ root: string; palaceFile: string; waiting: string }> {
  const root = await tempRoot();
  const palaceFile = join(root, "palace.sqlite");
  const palace = new SqliteGoalMemory(palaceFile);
  const store = await GoalStore.load(palace, root);
  const { waiting } = await seedScenario(store);
  await store.dispose();
  palace.close();
  return { root, palaceFile, waiting };
}

/** Another process commits: s2 of `goalId` becomes verified, with evidence. */
async function commitElsewhere(root: string, palaceFile: string, goalId: string): Promise<void> {
  const script = join(root, "commit.mjs");
  await writeFile(
    script,
    `import { GoalStore } from ${JSON.stringify(pathToFileURL(join(dist, "index.js")).href)};
     import { SqliteGoalMemory } from ${JSON.stringify(pathToFileURL(join(dist, "sqlite.js")).href)};
     const palace = new SqliteGoalMemory(${JSON.stringify(palaceFile)});
     const store = await GoalStore.load(palace, ${JSON.stringify(root)});
     await store.update(${JSON.stringify(goalId)}, { sessionId: "s2", state: "verified", evidence: "docs merged" });
     await store.flush();
     palace.close();`,
  );
  execFileSync(process.execPath, [script], { stdio: "ignore", timeout: 60_000 });
}

describe("goal-store watch", { timeout: 120_000 }, () => {
  it.each([["--sqlite"], ["--root"]])("%s: redraws a live table in a real terminal while another process commits; keys move, open and quit", async (flag) => {
    const { root, palaceFile, waiting } = await seed();
    const source = flag === "--sqlite" ? palaceFile : root;
    const view = terminal([process.execPath, BIN, "watch", flag, source]);
    const row = (screen: string) => stripSgr(screen).split("\n").find((line) => line.includes(waiting));
    const before = await waitFor("the first table", () => row(view.screen())?.match(/inProgress\s+\[#####-----\]\s+50%\s+1\/2 .*waits: s2/) ? view.screen() : undefined);
    expect(stripSgr(before)).toMatch(/ID\s+STATUS\s+PROGRESS\s+VER\s+UPDATED\s+GATE\s+LATEST/);
    expect(stripSgr(before)).toMatch(/done\s+\[##########\] 100%\s+1\/1 .*closed/);

    await commitElsewhere(root, palaceFile, waiting);
    await waitFor("the redraw after the commit", () => (row(view.screen())?.match(/\[##########\] 100%\s+2\/2 .*can close/) ? true : undefined));

    // Select the goal (second row, ids sort the done goal second or first), then open it.
    const selected = () => stripSgr(view.screen()).split("\n").find((line) => line.startsWith(">")) ?? "";
    if (!selected().includes(waiting)) view.keys("j");
    await waitFor("the selection on the goal", () => (selected().includes(waiting) ? true : undefined));
    view.keys("Enter");
    const detail = await waitFor("the goal in full", () => (stripSgr(view.screen()).includes("Sessions (2):") ? stripSgr(view.screen()) : undefined));
    expect(detail).toContain("gate: 2/2 verified, open: every session verified");
    expect(detail).toContain("s2  verified  document  [evidence: docs merged]");

    view.keys("Escape");
    await waitFor("the table again", () => (stripSgr(view.screen()).includes("Enter open") ? true : undefined));
    view.keys("q");
    await waitFor("the view to quit", () => (view.alive() ? undefined : true));
  });

  it("colours on a terminal, never with NO_COLOR", async () => {
    const { palaceFile } = await seed();
    const coloured = terminal([process.execPath, BIN, "watch", "--sqlite", palaceFile]);
    const plainView = terminal([process.execPath, BIN, "watch", "--sqlite", palaceFile], { NO_COLOR: "1" });
    // The first row is drawn in reverse video, so which status colour shows depends
    // on how the random ids sort: done (green) or inProgress (yellow).
    // eslint-disable-next-line no-control-regex
    await waitFor("colour", () => (/\x1b\[[0-9;]*3[23]m/.test(coloured.screen()) ? true : undefined));
    await waitFor("the plain table", () => (plainView.screen().includes("Migrate") || plainView.screen().includes("closed") ? true : undefined));
    // eslint-disable-next-line no-control-regex
    expect(plainView.screen()).not.toMatch(/\x1b\[[0-9;]*(3[0-7]|7)m/);
    coloured.keys("q");
    plainView.keys("q");
  });

  it("without a terminal prints one line per change, for logs", async () => {
    const { root, palaceFile, waiting } = await seed();
    const child = spawn(process.execPath, [BIN, "watch", "--sqlite", palaceFile], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      await waitFor("the initial lines", () => (stdout.split("\n").length >= 3 ? true : undefined));
      expect(stdout).not.toContain("\x1b");
      expect(stdout).toMatch(new RegExp(`${waiting}  inProgress  50%  1/2 verified  r3  waits: s2`));
      await commitElsewhere(root, palaceFile, waiting);
      await waitFor("the change line", () => (stdout.includes(`${waiting}  inProgress  100%  2/2 verified  r4  can close  s2: docs merged`) ? true : undefined));
      expect(stdout.trimEnd().split("\n")).toHaveLength(3);
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise<number | null>((resolveExit) => (child.exitCode !== null ? resolveExit(child.exitCode) : child.on("close", resolveExit)));
    expect(code).toBe(0);
  });
});
