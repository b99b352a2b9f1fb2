// goal-store --postgres reads through PostgresGoalMemory opened read-only:
// its pool guard keeps watch alive when the server ends a connection as it
// becomes ready (issue 18 item 2, issue 19 item 8), and the server refuses
// every write whatever the URL's options say (issue 19 item 9).
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { freshSchema, withClient } from "../support/pg-schemas.js";
import { pgUrl } from "../support/pg-target.js";
import { startTerminatingProxy } from "../support/terminating-proxy.js";
import { BIN } from "./cli-helpers.js";
import { cliAsync, commitElsewhere, seedPostgres, waitFor } from "./postgres-helpers.js";

const url = pgUrl();

/** The URL with `?options=` asking for read-write transactions by default. */
function readWriteByDefault(server: string): string {
  const withOptions = new URL(server);
  withOptions.searchParams.set("options", "-c default_transaction_read_only=off");
  return withOptions.toString();
}

if (url !== undefined) {
  describe("goal-store --postgres, read-only through the palace adapter", { timeout: 120_000 }, () => {
    it("regression: watch --postgres survives its connections being terminated as they become ready (was: unhandled 'error' event, exit 1)", async () => {
      const schema = freshSchema(url);
      const { waiting } = await seedPostgres(url, schema);
      const proxy = await startTerminatingProxy(url);
      const child = spawn(process.execPath, [BIN, "watch", "--postgres", proxy.url(url), "--pg-schema", schema], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolveExit) => child.on("close", resolveExit));
      try {
        await waitFor("the initial lines", () => (stdout.split("\n").length >= 3 ? true : undefined));
        await waitFor("the feed to listen", () =>
          withClient(url, async (client) => {
            const { rows } = await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'goal-store-cli' AND query LIKE 'LISTEN%'");
            return rows.length > 0 ? true : undefined;
          }),
        );
        // Every connection the feed opens from now on is ended by the server as it becomes ready.
        proxy.arm();
        proxy.cutOpen();
        await waitFor("three connections terminated as they became ready, or watch to die", () =>
          proxy.terminated() >= 3 || child.exitCode !== null ? true : undefined,
        );
        expect(stderr).toBe("");
        expect(child.exitCode).toBeNull();

        // Once the server lets it in again, the feed listens and watch sees the next commit.
        proxy.disarm();
        await commitElsewhere(url, schema, waiting);
        await waitFor("the change line", () => (stdout.includes(`${waiting}  inProgress  100%  2/2 verified  r4  can close  s2: docs merged`) ? true : undefined));
        expect(child.exitCode).toBeNull();
      } finally {
        child.kill("SIGTERM");
        await proxy.close();
      }
      expect(await exited).toBe(0);
      expect(stderr).toBe("");
    });

    it("regression: reads run read-only whatever the URL's options say: a palace table whose reads write changes nothing (was: written)", async () => {
      // A table whose SELECT writes: a view over a function that logs every read.
      const schema = freshSchema(url);
      await withClient(url, (client) =>
        client.query(`
          CREATE SCHEMA "${schema}";
          CREATE TABLE "${schema}".reads (at timestamptz NOT NULL DEFAULT now());
          CREATE FUNCTION "${schema}".logged_entries() RETURNS TABLE (tag text, goal_id text, revision bigint, json text)
            LANGUAGE sql VOLATILE AS $$ INSERT INTO "${schema}".reads DEFAULT VALUES; SELECT 'sm-goal'::text, 'g-1'::text, 1::bigint, '{}'::text $$;
          CREATE VIEW "${schema}".goal_entries AS SELECT * FROM "${schema}".logged_entries();`),
      );
      const run = await cliAsync(["list", "--postgres", readWriteByDefault(url), "--pg-schema", schema]);
      const reads = await withClient(url, (client) => client.query(`SELECT count(*)::int AS n FROM "${schema}".reads`));
      expect(reads.rows[0]).toEqual({ n: 0 });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("read-only transaction");
    });

    it("with ?options= turning read-only off, a schema without the table is refused and nothing is created", async () => {
      const schema = freshSchema(url);
      for (const command of [["list"], ["check"], ["watch"]]) {
        const run = await cliAsync([...command, "--postgres", readWriteByDefault(url), "--pg-schema", schema]);
        expect(run.code).toBe(1);
        expect(run.stdout + run.stderr).toContain(`no goal_entries table in schema ${schema}: is this a goal-store palace?`);
      }
      const found = await withClient(url, (client) => client.query("SELECT to_regnamespace($1) IS NOT NULL AS schema", [`"${schema}"`]));
      expect(found.rows[0]).toEqual({ schema: false });
    });
  });
}
