import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CASES, type BenchCase } from "../bench/cases.js";
import { tempRoot } from "./helpers.js";
import { pgUrl } from "./support/pg-target.js";

const usesPostgres = (benchCase: BenchCase) => benchCase.runs("tiny").some((run) => run.palace === "postgres");

// Every case runs its processes at tiny size; each process checks its own
// result (state against the workload, goals.json against the state; for the
// feed, the second store's view against the first's) and the runner prints
// every row. No timing is asserted here: timings live in `npm run bench`.
async function runsAtTinySize(name: string, env: Record<string, string> = {}): Promise<void> {
  const benchCase = CASES.find((candidate) => candidate.name === name);
  // TMPDIR inside a tempRoot(): the bench's data roots and tsx's tsx-<uid> cache go with it.
  const tmp = await tempRoot();
  const output = execFileSync(process.execPath, ["--import", "tsx", "bench/main.ts", "--tiny", "--json", "--case", name], {
    encoding: "utf8",
    env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp, ...env },
  });
  const lines = output.split("\n");
  const why = benchCase?.unavailable?.();
  for (const row of benchCase?.rows ?? []) {
    const line = lines.find((candidate) => candidate.includes(row.label));
    expect(line, row.label).toBeDefined();
    // A latency counted from the acknowledgement can be at or below 0: the sign is allowed, NaN and Infinity are not.
    if (why === undefined) expect(line).toMatch(/\| -?[0-9.]+–-?[0-9.]+/);
    else expect(line).toContain("not run");
  }
  const measurements = lines
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { subject: string; mode: string; cacheBytes: number; operations: number });
  if (why === undefined) expect(measurements).toHaveLength(benchCase?.runs("tiny").length ?? -1);
  for (const measurement of measurements) {
    if (measurement.subject === "goal-store" && measurement.mode !== "feed") expect(measurement.cacheBytes > 0 || name === "load").toBe(true);
  }
}

describe("benchmark harness", () => {
  it.each(CASES.filter((benchCase) => !usesPostgres(benchCase)).map((benchCase) => benchCase.name))(
    "case %s runs at tiny size and prints its rows",
    (name) => runsAtTinySize(name),
    120_000,
  );
});

// The PostgreSQL cases run against the tests' server (GOAL_STORE_BENCH_PG_URL),
// each measurement process in a schema of its own that it drops afterwards.
describe("benchmark harness on PostgreSQL", () => {
  const url = pgUrl();
  if (url === undefined) return;
  it.each(CASES.filter(usesPostgres).map((benchCase) => benchCase.name))(
    "case %s runs at tiny size and prints its rows",
    async (name) => {
      await runsAtTinySize(name, { GOAL_STORE_BENCH_PG_URL: url });
      // Nothing left behind on the server.
      const pg = (await import("pg")).default;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'gs_bench_%'");
        expect(rows).toEqual([]);
      } finally {
        await client.end();
      }
    },
    120_000,
  );
});
