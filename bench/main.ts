/**
 * `npm run bench`: goal-store against lowdb 7, a naive port of the Rust
 * algorithm and a palace-only ceiling, at 1,000 and 10,000 goals, over an
 * in-memory palace that resolves at once or yields to the event loop, with one
 * sequential caller and with 32 concurrent ones. Rounds are interleaved
 * (A B C D A B C D …) and every measurement runs in its own process.
 *
 * Flags: --rounds N (default 3), --goals 1000,10000, --quick (1 round, fewer
 * operations: a smoke run, not a measurement).
 */
import { execFileSync } from "node:child_process";
import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Measurement } from "./measure.js";

const SUBJECTS = ["goal-store", "lowdb", "naive port", "ceiling"] as const;
type SubjectName = (typeof SUBJECTS)[number];

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    goals: { type: "string", default: "1000,10000" },
    quick: { type: "boolean", default: false },
  },
});
const rounds = values.quick ? 1 : Number(values.rounds);
const goalCounts = values.goals.split(",").map(Number);

/** goal-store and the ceiling get enough operations that the final flush does not dominate; the slow baselines fewer. */
function operationsFor(subject: SubjectName, goals: number): number {
  if (values.quick) return subject === "goal-store" || subject === "ceiling" ? 2_000 : 20;
  return subject === "goal-store" || subject === "ceiling" ? 20_000 : Math.max(30, Math.round(300_000 / goals));
}

function measure(subject: SubjectName, goals: number, latency: string, callers: number): Measurement {
  const script = fileURLToPath(new URL("./measure.ts", import.meta.url));
  const args = ["--expose-gc", "--import", "tsx", script, "--subject", subject, "--goals", String(goals)];
  args.push("--operations", String(operationsFor(subject, goals)), "--latency", latency, "--callers", String(callers));
  const output = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(output.trim().split("\n").at(-1) as string) as Measurement;
}

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
const fixed = (value: number, digits: number) => value.toFixed(digits);

/** One configuration's rounds folded into one row: medians, and the worst peak RSS. */
type Summary = Omit<Measurement, "subject" | "goals" | "latency" | "callers"> & { subject: SubjectName };

const results = new Map<string, Summary>();
const key = (goals: number, latency: string, callers: number, subject: string) => `${goals}|${latency}|${callers}|${subject}`;

console.log(`goal-store benchmark: Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown CPU"})`);
console.log(`${rounds} interleaved round(s) per configuration, each measurement in its own process\n`);

for (const goals of goalCounts) {
  for (const latency of ["immediate", "yield"]) {
    for (const callers of [1, 32]) {
      const runs = new Map<SubjectName, Measurement[]>(SUBJECTS.map((subject) => [subject, []]));
      for (let round = 0; round < rounds; round++) {
        for (const subject of SUBJECTS) runs.get(subject)?.push(measure(subject, goals, latency, callers));
      }
      for (const subject of SUBJECTS) {
        const measured = runs.get(subject) as Measurement[];
        results.set(key(goals, latency, callers, subject), {
          subject,
          operations: (measured[0] as Measurement).operations,
          opsPerSecond: median(measured.map((m) => m.opsPerSecond)),
          p50Ms: median(measured.map((m) => m.p50Ms)),
          p99Ms: median(measured.map((m) => m.p99Ms)),
          peakRssBytes: Math.max(...measured.map((m) => m.peakRssBytes)),
          rssGrowthBytes: median(measured.map((m) => m.rssGrowthBytes)),
          liveGrowthBytes: median(measured.map((m) => m.liveGrowthBytes)),
          cacheBytes: (measured[0] as Measurement).cacheBytes,
        });
      }
      process.stderr.write(`measured ${goals} goals, ${latency} palace, ${callers} caller(s)\n`);
    }
  }
}

console.log("| goals | palace | callers | subject | ops | median ops/s | p50 ms | p99 ms | peak RSS MB | RSS growth MB | live growth MB | goals.json MB |");
console.log("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const goals of goalCounts) {
  for (const latency of ["immediate", "yield"]) {
    for (const callers of [1, 32]) {
      for (const subject of SUBJECTS) {
        const r = results.get(key(goals, latency, callers, subject)) as Summary;
        console.log(
          `| ${goals} | ${latency} | ${callers} | ${subject} | ${r.operations} | ${fixed(r.opsPerSecond, 0)} | ${fixed(r.p50Ms, 3)} | ` +
            `${fixed(r.p99Ms, 3)} | ${mb(r.peakRssBytes)} | ${mb(r.rssGrowthBytes)} | ${mb(r.liveGrowthBytes)} | ${r.cacheBytes === 0 ? "–" : mb(r.cacheBytes)} |`,
        );
      }
    }
  }
}

console.log("\n| goals | palace | callers | goal-store/lowdb | goal-store/naive | goal-store/ceiling |");
console.log("|---:|---|---:|---:|---:|---:|");
for (const goals of goalCounts) {
  for (const latency of ["immediate", "yield"]) {
    for (const callers of [1, 32]) {
      const ops = (subject: SubjectName) => (results.get(key(goals, latency, callers, subject)) as Summary).opsPerSecond;
      const ours = ops("goal-store");
      console.log(
        `| ${goals} | ${latency} | ${callers} | ${fixed(ours / ops("lowdb"), 0)}× | ${fixed(ours / ops("naive port"), 0)}× | ${fixed(ours / ops("ceiling"), 2)}× |`,
      );
    }
  }
}

if (goalCounts.length >= 2) {
  const [small, large] = [Math.min(...goalCounts), Math.max(...goalCounts)];
  console.log(`\nPer-operation time at ${large} goals over that at ${small} (1.00 = flat):`);
  for (const subject of SUBJECTS) {
    const ratios = ["immediate", "yield"].flatMap((latency) =>
      [1, 32].map((callers) => {
        const at = (goals: number) => (results.get(key(goals, latency, callers, subject)) as Summary).opsPerSecond;
        return `${latency}/${callers}: ${fixed(at(small) / at(large), 2)}`;
      }),
    );
    console.log(`  ${subject.padEnd(10)} ${ratios.join("  ")}`);
  }
  console.log(`\nMemory over the process before its goals existed, against goals.json's size, at ${large} goals:`);
  for (const subject of SUBJECTS) {
    const growth = ["immediate", "yield"].flatMap((latency) =>
      [1, 32].map((callers) => results.get(key(large, latency, callers, subject)) as Summary),
    );
    const rss = Math.max(...growth.map((g) => g.rssGrowthBytes));
    const liveBytes = Math.max(...growth.map((g) => g.liveGrowthBytes));
    const file = (results.get(key(large, "yield", 1, "goal-store")) as Summary).cacheBytes;
    console.log(
      `  ${subject.padEnd(10)} peak RSS growth ${mb(rss)} MB = ${fixed(rss / file, 1)}×, ` +
        `live after GC ${mb(liveBytes)} MB = ${fixed(liveBytes / file, 1)}×`,
    );
  }
}
