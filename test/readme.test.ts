import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { tempRoot } from "./helpers.js";
import { compilerOptions } from "./support/entry-exports.js";
import { codeBlocks, documentationFiles, type CodeBlock } from "./support/markdown.js";
import { pgUrl } from "./support/pg-target.js";
import { withClient } from "./support/pg-schemas.js";

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
export async function runAsUser(code: string, file = "example.mjs", env: Record<string, string> = {}): Promise<string> {
  if (!existsSync(join(repo, "dist", "index.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  const dir = await tempRoot();
  await mkdir(join(dir, "node_modules"));
  await symlink(repo, join(dir, "node_modules", "goal-store"), "dir");
  await writeFile(join(dir, file), code);
  const tmp = join(dir, "tmp");
  await mkdir(tmp);
  const { stdout } = await promisify(execFile)(process.execPath, [file], {
    cwd: dir,
    env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp, ...env },
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

/** Runs a js example and checks the output its comments state, if any. */
async function runExample(code: string, env: Record<string, string> = {}): Promise<void> {
  const output = await runAsUser(code, "example.mjs", env);
  const expected = expectedLines(code);
  const printed = output.trim().split("\n");
  // node:test examples print a report; check only examples that state their output.
  if (expected.length > 0) {
    expect(printed).toHaveLength(expected.length);
    printed.forEach((line, i) => expect(line).toMatch(expected[i] as RegExp));
  }
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
    for (const code of blocks) await runExample(code);
  }, SPAWNING);
});

// Every other example of README.md and docs/*.md. The sections above are run
// by the tests above; an example that reads DATABASE_URL needs a server.
const COVERED = new Set(["Quick start", "Usage", "Writing a palace adapter"]);
const allBlocks: CodeBlock[] = documentationFiles(repo).flatMap((file) => codeBlocks(repo, file));
const needsPostgres = (block: CodeBlock) => block.code.includes("process.env.DATABASE_URL");
const label = (block: CodeBlock) => `${block.file} › ${block.heading} (${allBlocks.filter((b) => b.file === block.file && b.heading === block.heading).indexOf(block) + 1})`;
const otherExamples = allBlocks.filter(
  (block) => block.language === "js" && !(block.file === "README.md" && COVERED.has(block.section)) && !needsPostgres(block),
);

describe("documentation examples", () => {
  it("every code block is one these tests run, type-check or show as text", () => {
    // A `javascript` or `typescript` fence would silently escape the checks below.
    const unknown = allBlocks.filter((block) => !["js", "ts", "sh", "text", "sql"].includes(block.language)).map(label);
    expect(unknown).toEqual([]);
    expect(otherExamples.length).toBeGreaterThan(0);
  });

  it.each(otherExamples.map((block) => [label(block), block] as const))("%s runs as written", async (_name, block) => {
    await runExample(block.code);
  }, SPAWNING);

  it("every ts block type-checks, and an interface named after an export matches that export", () => {
    const blocks = allBlocks.filter((block) => block.language === "ts");
    expect(blocks.length).toBeGreaterThan(0);
    const files = new Map(
      blocks.map((block, i) => {
        // A block that declares `interface GoalMemory` restates the contract:
        // it must be the exported type, member for member, in both directions.
        const restated = [...block.code.matchAll(/^\s*(?:export\s+)?interface\s+(\w+)/gm)].map((m) => m[1] as string);
        const checks = restated.map(
          (name) =>
            `import type { ${name} as Exported${name} } from "goal-store";\n` +
            `export const same${name}: [${name}] extends [Exported${name}] ? ([Exported${name}] extends [${name}] ? true : false) : false = true;\n`,
        );
        return [join(repo, "test", `.doc-block-${i}.ts`), { block, text: `${block.code}\n${checks.join("")}export {};\n` }];
      }),
    );
    const options = { ...compilerOptions(), noEmit: true };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (path) => files.get(path)?.text ?? readFile(path);
    host.fileExists = (path) => files.has(path) || fileExists(path);
    host.getSourceFile = (path, language, ...rest) => {
      const virtual = files.get(path);
      return virtual === undefined ? getSourceFile(path, language, ...rest) : ts.createSourceFile(path, virtual.text, language);
    };
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = [...files].flatMap(([path, { block }]) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(path)).map((diagnostic) => {
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
        const inChecks = (diagnostic.start ?? 0) >= block.code.length;
        return `${label(block)}: ${inChecks ? `an interface it declares differs from goal-store's export of that name (${message})` : message}`;
      }),
    );
    expect(problems).toEqual([]);
  }, SPAWNING);
});

describe("documentation examples on PostgreSQL", () => {
  const url = pgUrl();
  const examples = allBlocks.filter((block) => block.language === "js" && needsPostgres(block));
  if (url !== undefined) {
    it.each(examples.map((block) => [label(block), block] as const))("%s runs as written with DATABASE_URL set", async (_name, block) => {
      // A database of its own: the example names its schema, and a server
      // given by GOAL_STORE_PG_URL must be left as it was found.
      const database = `gs_readme_${randomBytes(6).toString("hex")}`;
      await withClient(url, (client) => client.query(`CREATE DATABASE "${database}"`));
      try {
        const own = new URL(url);
        own.pathname = `/${database}`;
        await runExample(block.code, { DATABASE_URL: own.href });
      } finally {
        await withClient(url, (client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
      }
    }, SPAWNING);
  }
});

describe("README command line", () => {
  it("every goal-store command shown runs as written against a demo data root", async () => {
    const [block] = await readmeBlocks("Command line", "sh");
    const commands = (block ?? "").split("\n").filter((line) => line.startsWith("npx goal-store "));
    expect(commands.length).toBeGreaterThanOrEqual(3);
    // What `npm run demo` leaves behind: a SQLite palace and its goals.json cache.
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
