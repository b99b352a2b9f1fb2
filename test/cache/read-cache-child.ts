// Reads goals.json with GoalCache.read() in a process of its own, so that the
// memory it takes can be bounded (--max-old-space-size) and measured (peak
// RSS). Prints {"goals","skipped","peakRssMb"}. Used by goal-cache-memory.test.ts.
import { readFileSync } from "node:fs";
import { GoalCache } from "../../src/cache/goal-cache.js";

const result = await new GoalCache(process.argv[2] as string).read();
// VmHWM: the resident set's high-water mark (Linux); undefined elsewhere.
const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", { encoding: "utf8", flag: "r" }))?.[1];
process.stdout.write(
  JSON.stringify({ goals: result.goals.length, skipped: result.skipped.length, peakRssMb: peak === undefined ? null : Math.round(Number(peak) / 1024) }),
);
