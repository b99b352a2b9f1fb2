/**
 * `npm run bench`: every row of issue 15's target table, each a figure from
 * processes measured side by side, as min–max over interleaved rounds (round 1
 * runs every case's processes, then round 2, …; within a case the order of its
 * subjects alternates between rounds). Every process measures one subject and
 * checks its result (state against the workload, goals.json against the state).
 *
 * Flags: --case a,b (run only these; `--list` names them), --rounds N (default
 * 3), --tiny (small sizes, one round: the harness check test/bench.test.ts
 * runs), --json (also print every measurement as JSON lines).
 *
 * The PostgreSQL cases use GOAL_STORE_BENCH_PG_URL (else GOAL_STORE_PG_URL);
 * with neither set, a throwaway server is started for the run the way the
 * tests start one (test/support/pg-cluster.ts) and stopped at the end, also
 * when a measurement fails or the run is interrupted. Every process makes a
 * schema of its own there and drops it when done.
 */
import { execFileSync } from "node:child_process";
import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { startCluster, type PgCluster } from "../test/support/pg-cluster.js";
import { CASES, DEFAULT_CASES, type BenchCase, type Run } from "./cases.js";
import type { Measurement } from "./measure.js";
import { benchPgUrl } from "./palaces.js";

const { values } = parseArgs({
  options: {
    case: { type: "string" },
    rounds: { type: "string", default: "3" },
    tiny: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    list: { type: "boolean", default: false },
  },
});

if (values.list) {
  for (const benchCase of CASES) console.log(`${benchCase.name}${DEFAULT_CASES.includes(benchCase.name) ? "" : " (by name only)"}`);
  process.exit(0);
}

const names = values.case === undefined ? DEFAULT_CASES : values.case.split(",");
const selected = names.map((name) => {
  const found = CASES.find((benchCase) => benchCase.name === name);
  if (found === undefined) throw new Error(`unknown case ${JSON.stringify(name)}; --list names them`);
  return found;
});
const size = values.tiny ? "tiny" : "full";
const rounds = values.tiny ? 1 : Number(values.rounds);

function measure(run: Run): Measurement {
  const script = fileURLToPath(new URL("./measure.ts", import.meta.url));
  const args = ["--expose-gc", "--import", "tsx", script, "--subject", run.subject, "--palace", run.palace, "--mode", run.mode];
  args.push("--goals", String(run.goals), "--operations", String(run.operations), "--callers", String(run.callers));
  if (run.rate !== undefined) args.push("--rate", String(run.rate));
  const output = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  const measurement = JSON.parse(output.trim().split("\n").at(-1) as string) as Measurement;
  if (values.json) console.log(JSON.stringify(measurement));
  return measurement;
}

console.log(`goal-store benchmark: Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown CPU"})`);
console.log(`${rounds} interleaved round(s), each measurement in its own process\n`);

const runnable = selected.filter((benchCase) => benchCase.unavailable?.() === undefined);
const needsPostgres = runnable.some((benchCase) => benchCase.runs(size).some((run) => run.palace === "postgres"));
let cluster: PgCluster | undefined;
const stopCluster = async () => {
  await cluster?.stop();
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void stopCluster().finally(() => process.exit(130)));
}
// Per case, per round: the measurements in the case's `runs` order.
const measured = new Map<BenchCase, Measurement[][]>(runnable.map((benchCase) => [benchCase, []]));
try {
  if (needsPostgres) {
    let url = benchPgUrl();
    if (url === undefined) {
      cluster = await startCluster({ durable: true });
      url = cluster.url;
      console.log(`PostgreSQL: a throwaway server started for this run on 127.0.0.1:${cluster.port} (set GOAL_STORE_BENCH_PG_URL to use yours)`);
    }
    // Measurement processes read it (bench/palaces.ts).
    process.env.GOAL_STORE_BENCH_PG_URL = url;
    console.log(`PostgreSQL: ${await serverSettings(url)}\n`);
  }
  for (let round = 0; round < rounds; round++) {
    for (const benchCase of runnable) {
      const runs = benchCase.runs(size);
      const order = runs.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      const results: Measurement[] = new Array<Measurement>(runs.length);
      for (const i of order) results[i] = measure(runs[i] as Run);
      measured.get(benchCase)?.push(results);
      process.stderr.write(`round ${round + 1}/${rounds}: ${benchCase.name} done\n`);
    }
  }
} finally {
  await stopCluster();
}

const figure = (value: number) => (!Number.isFinite(value) ? String(value) : value >= 100 ? value.toFixed(0) : value.toFixed(2));
console.log("| case | what | target | min–max | rounds |");
console.log("|---|---|---|---|---|");
for (const benchCase of selected) {
  const why = benchCase.unavailable?.();
  for (const row of benchCase.rows) {
    if (why !== undefined) {
      console.log(`| ${benchCase.name} | ${row.label} | ${row.target} | not run: ${why} | |`);
      continue;
    }
    const figures = (measured.get(benchCase) ?? []).map((round) => row.value(round));
    const unit = row.unit === "×" ? "" : ` ${row.unit}`;
    const range = `${figure(Math.min(...figures))}–${figure(Math.max(...figures))}${unit}`;
    console.log(`| ${benchCase.name} | ${row.label} | ${row.target} | ${range} | ${figures.map(figure).join(", ")} |`);
  }
}

/** The server's version and the settings that decide what a commit costs. */
async function serverSettings(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string; fsync: string; synchronous_commit: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit",
    );
    const row = rows[0];
    return row === undefined ? "unknown settings" : `server ${row.version}, fsync=${row.fsync}, synchronous_commit=${row.synchronous_commit}`;
  } finally {
    await client.end();
  }
}
