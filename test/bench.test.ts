import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CASES } from "../bench/cases.js";
import { tempRoot } from "./helpers.js";

// Every case runs its processes at tiny size; each process checks its own
// result (state against the workload, goals.json against the state) and the
// runner prints every row. No timing is asserted here: timings live in
// `npm run bench`.
describe("benchmark harness", () => {
  it.each(CASES.map((benchCase) => benchCase.name))("case %s runs at tiny size and prints its rows", async (name) => {
    const benchCase = CASES.find((candidate) => candidate.name === name);
    // TMPDIR inside a tempRoot(): the bench's data roots and tsx's tsx-<uid> cache go with it.
    const tmp = await tempRoot();
    const output = execFileSync(process.execPath, ["--import", "tsx", "bench/main.ts", "--tiny", "--json", "--case", name], {
      encoding: "utf8",
      env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
    });
    const lines = output.split("\n");
    const why = benchCase?.unavailable?.();
    for (const row of benchCase?.rows ?? []) {
      const line = lines.find((candidate) => candidate.includes(row.label));
      expect(line, row.label).toBeDefined();
      if (why === undefined) expect(line).toMatch(/\| [0-9.]+–[0-9.]+/);
      else expect(line).toContain("not run");
    }
    const measurements = lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as { subject: string; cacheBytes: number });
    if (why === undefined) expect(measurements).toHaveLength(benchCase?.runs("tiny").length ?? -1);
    for (const measurement of measurements) {
      if (measurement.subject === "goal-store") expect(measurement.cacheBytes > 0 || name === "load").toBe(true);
    }
  }, 120_000);
});
