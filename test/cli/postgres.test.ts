import { spawn } from "node:child_process";
import { cp, mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempRoot } from "../helpers.js";
import { freshSchema, withClient } from "../support/pg-schemas.js";
import { pgUrl } from "../support/pg-target.js";
import { BIN } from "./cli-helpers.js";
import { cliAsync, commitElsewhere, seedPostgres, waitFor } from "./postgres-helpers.js";
import { stripSgr, terminal } from "./tmux-terminal.js";

const repo = resolve(import.meta.dirname, "..", "..");
const url = pgUrl();

/** Whether `schema.table` exists on the server, and whether the schema does. */
async function exists(server: string, schema: string, table = "goal_entries"): Promise<{ schema: boolean; table: boolean }> {
  return withClient(server, async (client) => {
    const { rows } = await client.query<{ schema: boolean; table: boolean }>(
      "SELECT to_regnamespace($1) IS NOT NULL AS schema, to_regclass($2) IS NOT NULL AS table",
      [`"${schema}"`, `"${schema}"."${table}"`],
    );
    return rows[0] as { schema: boolean; table: boolean };
  });
}

// A port nothing listens on: bound, then released.
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const { port } = server.address() as { port: number };
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

if (url !== undefined) {
  // Every test spawns the bin and opens connections: seconds apiece on a loaded machine.
  describe("goal-store over --postgres", { timeout: 120_000 }, () => {
    it("list, show and check read the palace a GoalStore wrote", async () => {
      const schema = freshSchema(url);
      const { waiting, done } = await seedPostgres(url, schema);
      const palace = ["--postgres", url, "--pg-schema", schema];

      const table = await cliAsync(["list", ...palace]);
      expect(table.stderr).toBe("");
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(new RegExp(`${waiting}\\s+inProgress\\s+50%\\s+1/2`));
      expect(table.stdout).toMatch(new RegExp(`${done}\\s+done\\s+100%\\s+1/1`));
      const json = JSON.parse((await cliAsync(["list", ...palace, "--json", "--status", "done"])).stdout) as { id: string }[];
      expect(json.map((goal) => goal.id)).toEqual([done]);

      const shown = await cliAsync(["show", waiting.slice(0, 10), ...palace]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain("Ship the login page");
      expect(shown.stdout).toContain("s1  verified  implement  [evidence: PR #12]");

      const check = await cliAsync(["check", ...palace]);
      expect(check.stdout).toMatch(new RegExp(`^palace postgres://\\S+ \\(${schema}\\.goal_entries\\): 2 goals read\\nok: no problems found\\n$`));
      expect(check.code).toBe(0);
    });

    it("check --root --postgres reports every goal where goals.json lags the palace", async () => {
      const schema = freshSchema(url);
      const { root, waiting } = await seedPostgres(url, schema);
      const inStep = await cliAsync(["check", "--root", root, "--postgres", url, "--pg-schema", schema]);
      expect(inStep.stdout).toContain("ok: no problems found");
      expect(inStep.code).toBe(0);

      await commitElsewhere(url, schema, waiting);
      const lagging = await cliAsync(["check", "--root", root, "--postgres", url, "--pg-schema", schema, "--json"]);
      expect(lagging.code).toBe(1);
      expect(JSON.parse(lagging.stdout)).toEqual({
        ok: false,
        goals: { "goals.json": 2, palace: 2 },
        problems: [`goal ${waiting} is at revision 4 in the palace but 3 in goals.json`],
      });
    });

    it("refuses a database without goal-store's table, by name, and creates none", async () => {
      const emptySchema = freshSchema(url);
      await withClient(url, (client) => client.query(`CREATE SCHEMA "${emptySchema}"`));
      const missingSchema = freshSchema(url);
      for (const [schema, table] of [
        [emptySchema, "goal_entries"],
        [missingSchema, "goal_entries"],
        [emptySchema, "goals_v2"],
      ] as const) {
        for (const command of [["list"], ["show", "g-1"], ["check"]]) {
          const run = await cliAsync([...command, "--postgres", url, "--pg-schema", schema, "--pg-table", table]);
          expect(run.code).toBe(1);
          // check reports on stdout, as one of its problems; the others say it on stderr.
          const said = command[0] === "check" ? run.stdout : run.stderr;
          expect(said).toContain(`no ${table} table in schema ${schema}: is this a goal-store palace?`);
        }
        const watch = await cliAsync(["watch", "--postgres", url, "--pg-schema", schema, "--pg-table", table]);
        expect(watch.code).toBe(1);
        expect(watch.stderr.trimEnd().split("\n")).toHaveLength(1);
        expect(await exists(url, schema, table)).toEqual({ schema: schema === emptySchema, table: false });
      }
    });

    it("refuses a table that is not goal-store's", async () => {
      const schema = freshSchema(url);
      await withClient(url, (client) => client.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".goal_entries (id int, body text)`));
      const run = await cliAsync(["list", "--postgres", url, "--pg-schema", schema]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`table ${schema}.goal_entries has no tag, goal_id, revision, json columns, so it is not a goal-store palace`);
    });

    it("watch without a terminal prints one line per change as another process commits", async () => {
      const schema = freshSchema(url);
      const { waiting } = await seedPostgres(url, schema);
      const child = spawn(process.execPath, [BIN, "watch", "--postgres", url, "--pg-schema", schema], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolveExit) => child.on("close", resolveExit));
      try {
        await waitFor("the initial lines", () => (stdout.split("\n").length >= 3 ? true : undefined));
        expect(stdout).toMatch(new RegExp(`${waiting}  inProgress  50%  1/2 verified  r3  waits: s2`));
        // The feed listens once watch's connection shows LISTEN on the server; a commit before would be covered by its gap anyway.
        await waitFor("the feed to listen", () =>
          withClient(url, async (client) => {
            const { rows } = await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'goal-store-cli' AND query LIKE 'LISTEN%'");
            return rows.length > 0 ? true : undefined;
          }),
        );
        await commitElsewhere(url, schema, waiting);
        await waitFor("the change line", () => (stdout.includes(`${waiting}  inProgress  100%  2/2 verified  r4  can close  s2: docs merged`) ? true : undefined));
        expect(stdout.trimEnd().split("\n")).toHaveLength(3);
        // The feed keeps it running: still there after the change.
        expect(child.exitCode).toBeNull();
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exited).toBe(0);
      expect(stderr).toBe("");
      await waitFor("watch's connections to close", () =>
        withClient(url, async (client) => {
          const { rows } = await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'goal-store-cli'");
          return rows.length === 0 ? true : undefined;
        }),
      );
    });

    it("watch on a terminal redraws as another process commits, and q quits", async () => {
      const schema = freshSchema(url);
      const { waiting } = await seedPostgres(url, schema);
      const view = terminal([process.execPath, BIN, "watch", "--postgres", url, "--pg-schema", schema]);
      const row = () => stripSgr(view.screen()).split("\n").find((line) => line.includes(waiting));
      await waitFor("the first table", () => (row()?.match(/inProgress\s+\[#####-----\]\s+50%\s+1\/2 .*waits: s2/) ? true : undefined));
      expect(stripSgr(view.screen())).toContain(`(${schema}.goal_entries)`);
      await commitElsewhere(url, schema, waiting);
      await waitFor("the redraw after the commit", () => (row()?.match(/\[##########\] 100%\s+2\/2 .*can close/) ? true : undefined));
      view.keys("q");
      await waitFor("the view to quit", () => (view.alive() ? undefined : true));
    });
  });
}

describe("goal-store --postgres when PostgreSQL cannot be used", { timeout: 120_000 }, () => {
  it("--sqlite with --postgres, a stray --pg-schema or a value that is not a URL are usage errors", async () => {
    const run = await cliAsync(["list", "--sqlite", "palace.sqlite", "--postgres", "postgres://127.0.0.1/db"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("goal-store: --sqlite and --postgres name two palaces; give one of them\n");
    const stray = await cliAsync(["list", "--root", "/tmp", "--pg-schema", "x"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toBe("goal-store: option --pg-schema applies to --postgres, which is not given\n");
    // pg would read it relative to a made-up URL; the value is not echoed, as it may hold a password.
    const notUrl = await cliAsync(["list", "--postgres", "ops:s3cret@db"]);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toMatch(/^goal-store: --postgres needs a connection URL such as postgres:\/\/user@host:5432\/db .*\n$/);
    expect(notUrl.stderr).not.toContain("s3cret");
  });

  it("a refused connection fails at once with one line, password masked, exit 1", async () => {
    const port = await closedPort();
    for (const command of [["list"], ["show", "g-1"], ["check"], ["watch"]]) {
      const run = await cliAsync([...command, "--postgres", `postgres://ops:s3cret@127.0.0.1:${port}/goals`]);
      expect(run.code).toBe(1);
      const said = (run.stderr + run.stdout).trimEnd();
      expect(said).toContain(`palace postgres://ops:***@127.0.0.1:${port}/goals (public.goal_entries) could not be read: connect ECONNREFUSED 127.0.0.1:${port}`);
      expect(said).not.toContain("s3cret");
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("a server that never answers fails within the connection timeout, not at TCP's", async () => {
    // Accepts connections and says nothing, as a wedged server or a wrong port would.
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolveListen) => silent.listen(0, "127.0.0.1", resolveListen));
    const { port } = silent.address() as { port: number };
    try {
      const run = await cliAsync(["list", "--postgres", `postgres://127.0.0.1:${port}/goals`]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/could not be read: .*timeout/i);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(run.ms).toBeLessThan(45_000);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolveClose) => silent.close(resolveClose));
    }
  });

  it("without the pg package says which package to install, exit 1", async () => {
    // The built bin in a folder whose node_modules has everything but pg.
    const copy = await tempRoot();
    await cp(join(repo, "dist"), join(copy, "dist"), { recursive: true });
    await writeFile(join(copy, "package.json"), JSON.stringify({ name: "goal-store", version: "0.0.0-test", type: "module" }));
    await mkdir(join(copy, "node_modules"));
    for (const name of await readdir(join(repo, "node_modules"))) {
      if (name !== "pg" && !name.startsWith(".")) await symlink(join(repo, "node_modules", name), join(copy, "node_modules", name));
    }
    const run = await cliAsync(["list", "--postgres", "postgres://127.0.0.1:1/goals"], { bin: join(copy, "dist", "cli.js"), cwd: copy });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "goal-store: palace postgres://127.0.0.1:1/goals (public.goal_entries) could not be read: --postgres needs the pg package (node-postgres), which is not installed: run `npm install pg`\n",
    );
  });
});
