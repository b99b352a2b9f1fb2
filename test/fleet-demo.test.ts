import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { pgUrl } from "./support/pg-target.js";

const repo = resolve(import.meta.dirname, "..");
const url = pgUrl();

if (url !== undefined) {
  describe("the fleet demo (npm run demo:fleet)", () => {
    it("three processes create, link, verify and close one goal through PostgreSQL, each hearing the others through the feed", async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(repo, "node_modules", "tsx", "dist", "cli.mjs"), join(repo, "examples", "fleet.ts")],
        { cwd: repo, env: { ...process.env, GOAL_STORE_PG_URL: url }, timeout: 60_000 },
      );
      const id = /\[planner \] created {2}(g-[0-9a-f]{16}) r1 pending/.exec(stdout)?.[1];
      expect(id, stdout).toBeDefined();
      for (const worker of ["worker-1", "worker-2"]) {
        expect(stdout).toMatch(new RegExp(`\\[${worker}\\] linked {3}${id} r[23] inProgress`));
        expect(stdout).toMatch(new RegExp(`\\[${worker}\\] verified ${id} r[56] `));
        expect(stdout).toMatch(new RegExp(`\\[${worker}\\] feed {5}${id} r7 done 100%`));
      }
      expect(stdout).toContain(`[planner ] gate     refused: goal ${id} has 0/2 sessions verified`);
      expect(stdout).toMatch(new RegExp(`\\[planner \\] closed {3}${id} r7 done 100% \\[worker-\\d:verified, worker-\\d:verified\\]`));
      expect(stdout).toContain(`In PostgreSQL: ${id} done at revision 7`);
    }, 90_000);
  });
}
