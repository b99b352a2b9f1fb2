import { describe, expect, it } from "vitest";
import { startCluster } from "../support/pg-cluster.js";
import { pgUrl } from "../support/pg-target.js";
import { runPgFleet } from "./pg-fleet-run.js";
import { soakSeed } from "./soak-seed.js";

// Issue 12: writer processes, each a real GoalStore with a data root of its
// own, on shared goals in one PostgreSQL schema, through backend terminations,
// proxy cuts, a SIGKILL and a server restart; the whole history is judged by
// checkFleet. The restart needs a server of our own: with GOAL_STORE_PG_URL it
// is skipped (with a logged line), the rest of the run is not.
const url = pgUrl();
const seed = soakSeed([], process.env);

if (url !== undefined) {
  describe(`PostgreSQL fleet: processes sharing one schema through cut connections and a restart (seed ${seed})`, () => {
    it("3 writers, one SIGKILLed: nothing lost or duplicated, revisions contiguous, every survivor converges", async () => {
      const given = process.env.GOAL_STORE_PG_URL !== undefined && process.env.GOAL_STORE_PG_URL !== "";
      // The restart would cut every other test's connections: this run restarts a server of its own.
      const cluster = given ? undefined : await startCluster();
      try {
        const stats = await runPgFleet({
          url: cluster?.url ?? url,
          restart: cluster?.restart,
          processes: 3,
          operations: 40,
          goals: 4,
          terminations: 3,
          cuts: 3,
          kill: true,
          seed,
        });
        expect(stats).toMatchObject({ processes: 3, kills: 1, lost: 0, duplicated: 0, violations: [] });
        expect(stats.terminations).toBeGreaterThanOrEqual(3);
        expect(stats.connectionCuts).toBeGreaterThanOrEqual(1);
        expect(stats.restarts).toBe(given ? 0 : 1);
        expect(stats.acknowledged).toBeGreaterThan(0);
        expect(stats.acknowledged + stats.refused + stats.unknown).toBe(stats.operations);
      } finally {
        await cluster?.stop();
      }
    }, 60_000);
  });
}
