import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tempRoot } from "./helpers.js";

const repo = resolve(import.meta.dirname, "..");

/** The fenced blocks of `language` under the README heading `heading`. */
export async function readmeBlocks(heading: string, language: string): Promise<string[]> {
  const readme = await readFile(join(repo, "README.md"), "utf8");
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`README has no "## ${heading}" section`);
  const section = readme.slice(start + 1).split(/\n## /)[0] as string;
  return [...section.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1] as string);
}

/**
 * Runs `code` as an ES module in a scratch folder where `goal-store` resolves to
 * this repo's build. TMPDIR points into the scratch folder, so the temp folders
 * the examples make (`mkdtemp(join(tmpdir(), "goals-"))`) go when it goes.
 */
export async function runAsUser(code: string, file = "example.mjs"): Promise<string> {
  if (!existsSync(join(repo, "dist", "index.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  const dir = await tempRoot();
  await mkdir(join(dir, "node_modules"));
  await symlink(repo, join(dir, "node_modules", "goal-store"), "dir");
  await writeFile(join(dir, file), code);
  const tmp = join(dir, "tmp");
  await mkdir(tmp);
  const { stdout } = await promisify(execFile)(process.execPath, [file], {
    cwd: dir,
    env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
    timeout: 60_000,
  });
  return stdout;
}

// `console.log(…); // expected output` comments in the README are checked, with
// "…" standing for any text.
function expectedLines(code: string): RegExp[] {
  return [...code.matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map(
    (m) => new RegExp(`^${(m[1] as string).split("…").map(escapeRegExp).join(".*")}$`),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Each example runs in its own node process (several per test): slow under load,
// so these tests get a minute rather than vitest's default 5 s.
const SPAWNING = 60_000;

describe("README", () => {
  it("the quick start runs as written and prints what its comments say", async () => {
    const [code] = await readmeBlocks("Quick start", "js");
    expect(code).toBeDefined();
    const lines = (await runAsUser(code as string)).trim().split("\n");
    const expected = expectedLines(code as string);
    expect(expected.length).toBeGreaterThanOrEqual(4);
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => expect(line).toMatch(expected[i] as RegExp));
  }, SPAWNING);

  it.each(["Usage", "Writing a palace adapter"])("every js example under \"%s\" runs as written", async (heading) => {
    const blocks = await readmeBlocks(heading, "js");
    expect(blocks.length).toBeGreaterThan(0);
    for (const code of blocks) {
      const output = await runAsUser(code);
      const expected = expectedLines(code);
      const printed = output.trim().split("\n");
      // node:test examples print a report; check only examples that state their output.
      if (expected.length > 0) {
        expect(printed).toHaveLength(expected.length);
        printed.forEach((line, i) => expect(line).toMatch(expected[i] as RegExp));
      }
    }
  }, SPAWNING);
});

describe("README command line", () => {
  it("every goal-store command shown runs as written against a demo data root", async () => {
    const [block] = await readmeBlocks("Command line", "sh");
    const commands = (block ?? "").split("\n").filter((line) => line.startsWith("npx goal-store "));
    expect(commands.length).toBeGreaterThanOrEqual(3);
    // What `npm run demo` leaves behind: a SQLite palace and its goals.json mirror.
    const dir = await tempRoot();
    const setup = `
      import { GoalStore } from "goal-store";
      import { SqliteGoalMemory } from "goal-store/sqlite";
      import { mkdirSync } from "node:fs";
      mkdirSync(".goal-store-demo");
      const palace = new SqliteGoalMemory(".goal-store-demo/palace.sqlite");
      const store = await GoalStore.load(palace, ".goal-store-demo");
      const goal = await store.create("Ship the login page");
      await store.link(goal.id, { sessionId: "s1", task: "implement", state: "verified" });
      await store.close(goal.id);
      await store.flush();
      palace.close();`;
    await mkdir(join(dir, "node_modules"));
    await symlink(repo, join(dir, "node_modules", "goal-store"), "dir");
    await writeFile(join(dir, "setup.mjs"), setup);
    const run = promisify(execFile);
    await run(process.execPath, ["setup.mjs"], { cwd: dir });
    for (const command of commands) {
      const args = command.replace(/^npx goal-store /, "").split(/\s+/);
      const { stdout } = await run(process.execPath, [join(repo, "dist", "cli.js"), ...args], { cwd: dir });
      expect(stdout, command).toMatch(/Ship the login page|ok: no problems found/);
    }
  }, SPAWNING);
});
