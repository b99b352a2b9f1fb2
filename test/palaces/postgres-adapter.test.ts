import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { GOAL_TAG, GoalStore, type PalaceEvent } from "../../src/index.js";
import { PostgresGoalMemory } from "../../src/palace/postgres/index.js";
import { tempRoot } from "../helpers.js";
import { freshSchema, withClient } from "../support/pg-schemas.js";
import { pgUrl } from "../support/pg-target.js";

const url = pgUrl();
const repo = resolve(import.meta.dirname, "../..");
const entry = (id: string, revision: number, extra = "") => JSON.stringify({ id, revision, extra });

if (url !== undefined) {
  describe("PostgresGoalMemory", () => {
    it("names the package to install when pg is missing", async () => {
      // A child process in which `pg` cannot be resolved, as for a user who did not install it.
      const script = join(await tempRoot(), "missing-pg.mts");
      await writeFile(
        script,
        `import Module from "node:module";
         const resolveFilename = Module._resolveFilename;
         Module._resolveFilename = function (request, ...rest) {
           if (request === "pg") throw Object.assign(new Error("Cannot find module 'pg'"), { code: "MODULE_NOT_FOUND" });
           return resolveFilename.call(this, request, ...rest);
         };
         const { PostgresGoalMemory } = await import(${JSON.stringify(join(repo, "src/palace/postgres/index.ts"))});
         try { new PostgresGoalMemory("postgres://127.0.0.1/x"); console.log("no error"); }
         catch (error) { console.log(error.message, "| cause:", error.cause?.code); }`,
      );
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], { cwd: repo });
      expect(stdout.trim()).toBe("goal-store/postgres needs pg (node-postgres): run `npm install pg` | cause: MODULE_NOT_FOUND");
    });

    it("group commit: a store's waiting mutations reach the server as batches, every one kept once, chained per goal", async () => {
      const palace = new PostgresGoalMemory(url, { schema: freshSchema(url) });
      const batches = vi.spyOn(palace, "rememberGoals");
      const store = await GoalStore.load(palace, await tempRoot());
      try {
        const goals = await Promise.all(Array.from({ length: 8 }, (_, i) => store.create(`goal ${i}`)));
        await Promise.all(goals.flatMap((goal) => Array.from({ length: 4 }, (_, i) => store.note(goal.id, `n${i}`))));
        expect(batches).toHaveBeenCalled();
        const reloaded = await GoalStore.load(palace, await tempRoot());
        for (const goal of goals) {
          expect(reloaded.get(goal.id)).toMatchObject({ revision: 5, notes: ["n0", "n1", "n2", "n3"] });
        }
        await reloaded.dispose();
      } finally {
        await store.dispose();
        await palace.close();
      }
    });

    it("regression: refuses a schema or table name with $, which the batch write would read as a parameter", () => {
      expect(() => new PostgresGoalMemory(url, { table: "goals$2" })).toThrow(/without "\$"/);
      expect(() => new PostgresGoalMemory(url, { schema: "s$1" })).toThrow(TypeError);
    });

    it("leaves a pool passed in open after close(), and gives back the feed's connection", async () => {
      const pool = new pg.Pool({ connectionString: url, max: 3 });
      try {
        const palace = new PostgresGoalMemory(pool, { schema: freshSchema(url) });
        const watch = palace.watchGoals(GOAL_TAG, () => {});
        await palace.feedReady();
        await palace.rememberGoal(entry("g-a", 1), GOAL_TAG, { goalId: "g-a", revision: 1, base: null });
        await watch.close();
        await palace.close();
        await expect(palace.listGoals(GOAL_TAG)).rejects.toThrow(/closed/);
        expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
        // The feed's LISTEN connection was destroyed, not returned with LISTEN still active.
        expect(pool.totalCount).toBeLessThanOrEqual(2);
      } finally {
        await pool.end();
      }
    });

    it("creates its schema and table once when several instances start at the same moment", async () => {
      const schema = freshSchema(url);
      const palaces = Array.from({ length: 8 }, () => new PostgresGoalMemory(url, { schema, table: "shared entries" }));
      try {
        const results = await Promise.allSettled(
          palaces.map((palace, i) => palace.rememberGoal(entry(`g-${i}`, 1), GOAL_TAG, { goalId: `g-${i}`, revision: 1, base: null })),
        );
        expect(results.filter((result) => result.status === "rejected")).toEqual([]);
        expect((await palaces[0]!.listGoals(GOAL_TAG)).length).toBe(8);
        const tables = await withClient(url, (client) =>
          client.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1", [schema]),
        );
        expect(tables.rows).toEqual([{ n: 1 }]);
      } finally {
        await Promise.all(palaces.map((palace) => palace.close()));
      }
    });

    it("reports STALE with the held revision, and keeps a keyless entry only when it is newer", async () => {
      const palace = new PostgresGoalMemory(url, { schema: freshSchema(url) });
      try {
        await palace.rememberGoal(entry("g-a", 1), GOAL_TAG, { goalId: "g-a", revision: 1, base: null });
        await palace.rememberGoal(entry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 });
        await expect(palace.rememberGoal(entry("g-a", 2, "late"), GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 })).rejects.toMatchObject({
          code: "STALE",
          expected: 1,
          actual: 2,
        });
        await expect(palace.rememberGoal(entry("g-a", 1, "old"), GOAL_TAG)).rejects.toMatchObject({ code: "STALE" });
        await palace.rememberGoal(entry("g-a", 5, "by hand"), GOAL_TAG);
        expect(await palace.readGoal(GOAL_TAG, "g-a")).toBe(entry("g-a", 5, "by hand"));
      } finally {
        await palace.close();
      }
    });

    it("sends a gap instead of a key too long for a NOTIFY payload, and still keeps the write", async () => {
      const schema = freshSchema(url);
      const [palace, other] = [new PostgresGoalMemory(url, { schema }), new PostgresGoalMemory(url, { schema })];
      const events: PalaceEvent[] = [];
      const watch = palace.watchGoals(GOAL_TAG, (event) => events.push(event));
      try {
        await palace.feedReady();
        events.length = 0;
        const longId = `g-${"x".repeat(9000)}`;
        await other.rememberGoal(entry(longId, 1), GOAL_TAG, { goalId: longId, revision: 1, base: null });
        await vi.waitFor(() => expect(events).toContainEqual({ kind: "gap" }), { timeout: 5000 });
        expect(await palace.readGoal(GOAL_TAG, longId)).toBe(entry(longId, 1));
      } finally {
        await watch.close();
        await Promise.all([palace.close(), other.close()]);
      }
    });
  });

  describe("PostgresGoalMemory with readOnly", () => {
    /** `url` asking, through its `options`, for read-write transactions by default. */
    const readWriteByDefault = (() => {
      const withOptions = new URL(url);
      withOptions.searchParams.set("options", "-c default_transaction_read_only=off");
      return withOptions.toString();
    })();

    it("regression: creates nothing whatever the URL's options say: a missing table is refused by name, writes reject unsent (was: schema and table created)", async () => {
      const schema = freshSchema(url);
      const palace = new PostgresGoalMemory(readWriteByDefault, { schema, readOnly: true });
      try {
        await expect(palace.listGoals(GOAL_TAG)).rejects.toThrow(`no goal_entries table in schema ${schema}: is this a goal-store palace?`);
        await expect(palace.readGoal(GOAL_TAG, "g-a")).rejects.toThrow("no goal_entries table");
        await expect(palace.rememberGoal(entry("g-a", 1), GOAL_TAG, { goalId: "g-a", revision: 1, base: null })).rejects.toThrow(/read-only/);
        await expect(palace.rememberGoals(GOAL_TAG, [{ json: entry("g-a", 1), key: { goalId: "g-a", revision: 1, base: null } }])).rejects.toThrow(/read-only/);
      } finally {
        await palace.close();
      }
      const found = await withClient(url, (client) => client.query("SELECT to_regnamespace($1) IS NOT NULL AS schema", [`"${schema}"`]));
      expect(found.rows).toEqual([{ schema: false }]);
    });

    it("refuses a table without the columns goal-store reads", async () => {
      const schema = freshSchema(url);
      await withClient(url, (client) => client.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".goal_entries (tag text, json text)`));
      const palace = new PostgresGoalMemory(url, { schema, readOnly: true });
      try {
        await expect(palace.listGoals(GOAL_TAG)).rejects.toThrow(`table ${schema}.goal_entries has no goal_id, revision columns, so it is not a goal-store palace`);
      } finally {
        await palace.close();
      }
    });

    it("reads what a writer keeps and follows its feed", async () => {
      const schema = freshSchema(url);
      const writer = new PostgresGoalMemory(url, { schema });
      await writer.rememberGoal(entry("g-a", 1), GOAL_TAG, { goalId: "g-a", revision: 1, base: null });
      const reader = new PostgresGoalMemory(readWriteByDefault, { schema, readOnly: true });
      const events: PalaceEvent[] = [];
      const watch = reader.watchGoals(GOAL_TAG, (event) => events.push(event));
      try {
        expect(await reader.listGoals(GOAL_TAG)).toEqual([entry("g-a", 1)]);
        await reader.feedReady();
        await writer.rememberGoal(entry("g-a", 2), GOAL_TAG, { goalId: "g-a", revision: 2, base: 1 });
        await vi.waitFor(() => expect(events).toContainEqual({ kind: "entry", goalId: "g-a", revision: 2 }), { timeout: 5000 });
        expect(await reader.readGoal(GOAL_TAG, "g-a")).toBe(entry("g-a", 2));
      } finally {
        await watch.close();
        await Promise.all([reader.close(), writer.close()]);
      }
    });

    it.each([["a connection string"], ["a pool passed in"]])(
      "regression: over %s, every read runs in a READ ONLY transaction: a table whose reads write is refused by the server (was: written)",
      async (what) => {
        const schema = freshSchema(url);
        await withClient(url, (client) =>
          client.query(`
            CREATE SCHEMA "${schema}";
            CREATE TABLE "${schema}".reads (at timestamptz NOT NULL DEFAULT now());
            CREATE FUNCTION "${schema}".logged_entries() RETURNS TABLE (tag text, goal_id text, revision bigint, json text)
              LANGUAGE sql VOLATILE AS $$ INSERT INTO "${schema}".reads DEFAULT VALUES; SELECT 'sm-goal'::text, 'g-a'::text, 1::bigint, '{}'::text $$;
            CREATE VIEW "${schema}".goal_entries AS SELECT * FROM "${schema}".logged_entries();`),
        );
        const pool = what === "a pool passed in" ? new pg.Pool({ connectionString: readWriteByDefault }) : undefined;
        const palace = new PostgresGoalMemory(pool ?? readWriteByDefault, { schema, readOnly: true });
        try {
          await expect(palace.listGoals(GOAL_TAG)).rejects.toMatchObject({ code: "25006" });
          await expect(palace.readGoal(GOAL_TAG, "g-a")).rejects.toMatchObject({ code: "25006" });
          // The connection that failed was not handed back mid-transaction: the pool still works.
          if (pool !== undefined) expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
        } finally {
          await palace.close();
          await pool?.end();
        }
        const reads = await withClient(url, (client) => client.query(`SELECT count(*)::int AS n FROM "${schema}".reads`));
        expect(reads.rows).toEqual([{ n: 0 }]);
      },
    );
  });
}
