import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { tempRoot } from "./helpers.js";

// The benchmark checks its own results (state against the workload, goals.json
// against the state); this keeps that check, and the benchmark, working.
// No timing is asserted here: timings live in `npm run bench`.
describe("benchmark harness", () => {
  it.each(["goal-store", "lowdb", "naive port", "ceiling"])("%s runs the workload and verifies its result", async (subject) => {
    const args = ["--import", "tsx", "bench/measure.ts", "--subject", subject, "--goals", "40", "--operations", "200"];
    // TMPDIR inside a tempRoot(): the bench's data root and tsx's tsx-<uid> cache go with it.
    const tmp = await tempRoot();
    const output = execFileSync(process.execPath, [...args, "--latency", "yield", "--callers", "8"], {
      encoding: "utf8",
      env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
    });
    const measurement = JSON.parse(output.trim()) as { subject: string; operations: number; cacheBytes: number };
    expect(measurement).toMatchObject({ subject, operations: 200 });
    expect(measurement.cacheBytes > 0).toBe(subject !== "ceiling");
  }, 60_000);
});
