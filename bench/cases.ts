import { findPgBin } from "../test/support/pg-cluster.js";
import type { Measurement } from "./measure.js";
import { benchPgUrl, type PalaceKind } from "./palaces.js";

/** One process of a case: a subject, its palace, and what to do. */
export interface Run {
  subject: string;
  palace: PalaceKind;
  mode: "ops" | "paced" | "load" | "floor" | "feed";
  goals: number;
  operations: number;
  callers: number;
  /** Operations per second in `paced` mode. */
  rate?: number;
}

/** One line of the result table, computed from one round's measurements (in `runs` order). */
export interface Row {
  label: string;
  target: string;
  /** What the figure is: `×` for a ratio, or a unit. */
  unit: string;
  value(measurements: readonly Measurement[]): number;
}

/** A named case: the processes of one round and the rows they produce. */
export interface BenchCase {
  name: string;
  /** `full` is the measurement; `tiny` keeps the harness honest in tests (seconds, not minutes). */
  runs(size: "full" | "tiny"): Run[];
  rows: Row[];
  /** Why the case cannot run here, or `undefined` when it can. */
  unavailable?(): string | undefined;
}

const at = (measurements: readonly Measurement[], i: number) => measurements[i] as Measurement;
const goalsAt = (size: "full" | "tiny", full: number) => (size === "full" ? full : 40);
const opsAt = (size: "full" | "tiny", full: number) => (size === "full" ? full : 200);

// goal-store against the raw loop over the same SQLite file, same callers.
function sqliteRuns(callers: number, operations: number) {
  return (size: "full" | "tiny"): Run[] =>
    ["goal-store", "raw sqlite"].map((subject) => ({
      subject,
      palace: "sqlite",
      mode: "ops",
      goals: goalsAt(size, 10_000),
      operations: opsAt(size, operations),
      callers,
    }));
}

// goal-store over PostgresGoalMemory against the raw loop on one connection, same callers.
function postgresRuns(callers: number, operations: number) {
  return (size: "full" | "tiny"): Run[] =>
    ["goal-store", "raw postgres"].map((subject) => ({
      subject,
      palace: "postgres",
      mode: "ops",
      goals: goalsAt(size, 10_000),
      operations: opsAt(size, operations),
      callers,
    }));
}

/**
 * Why the PostgreSQL cases cannot run here: no server named and none can be
 * started (bench/main.ts starts a throwaway one when none is named).
 */
function postgresUnavailable(): string | undefined {
  if (benchPgUrl() !== undefined) return undefined;
  const found = findPgBin();
  return "missing" in found ? `${found.missing}, or set GOAL_STORE_BENCH_PG_URL to a scratch database` : undefined;
}

/** The cases `npm run bench` runs by default: every row of issue 15's target table. */
export const CASES: BenchCase[] = [
  {
    name: "sqlite-32",
    runs: sqliteRuns(32, 4_000),
    rows: [
      {
        label: "SQLite FULL, 32 callers, goal-store / raw per-row loop (ops/s)",
        target: "≥ 2.0",
        unit: "×",
        value: (m) => at(m, 0).opsPerSecond / at(m, 1).opsPerSecond,
      },
      {
        label: "event-loop delay p99 during the run, goal-store (32 callers) / raw loop",
        target: "≤ 1.5",
        unit: "×",
        value: (m) => at(m, 0).loopDelayP99Ms / at(m, 1).loopDelayP99Ms,
      },
      {
        label: "peak RSS growth at 10k goals / goals.json size (goal-store, SQLite, 32 callers)",
        target: "≤ 3",
        unit: "×",
        value: (m) => at(m, 0).rssGrowthBytes / at(m, 0).cacheBytes,
      },
    ],
  },
  {
    name: "sqlite-1",
    runs: sqliteRuns(1, 2_000),
    rows: [
      {
        label: "SQLite FULL, 1 caller, goal-store / raw per-row loop (ops/s)",
        target: "≥ 0.85",
        unit: "×",
        value: (m) => at(m, 0).opsPerSecond / at(m, 1).opsPerSecond,
      },
    ],
  },
  {
    name: "postgres-32",
    runs: postgresRuns(32, 4_000),
    rows: [
      {
        label: "PostgreSQL, 32 callers, goal-store / raw loop of conditional UPDATEs on one connection (ops/s)",
        target: "≥ 2.0",
        unit: "×",
        value: (m) => at(m, 0).opsPerSecond / at(m, 1).opsPerSecond,
      },
    ],
    unavailable: postgresUnavailable,
  },
  {
    name: "postgres-1",
    runs: postgresRuns(1, 2_000),
    rows: [
      {
        label: "PostgreSQL, 1 caller, goal-store / raw loop of conditional UPDATEs on one connection (ops/s)",
        target: "—",
        unit: "×",
        value: (m) => at(m, 0).opsPerSecond / at(m, 1).opsPerSecond,
      },
    ],
    unavailable: postgresUnavailable,
  },
  {
    name: "postgres-feed",
    runs: (size) => [
      {
        subject: "goal-store",
        palace: "postgres",
        mode: "feed",
        goals: goalsAt(size, 10_000),
        operations: size === "full" ? 300 : 30,
        callers: 1,
      },
    ],
    rows: [
      {
        label: "PostgreSQL feed latency p50: one store's mutation call → subscribe callback in a second store (own pool and LISTEN), 10k goals",
        target: "—",
        unit: "ms",
        value: (m) => at(m, 0).feedP50Ms,
      },
      {
        label: "PostgreSQL feed latency p99, same run (300 commits, one at a time)",
        target: "—",
        unit: "ms",
        value: (m) => at(m, 0).feedP99Ms,
      },
      {
        label: "PostgreSQL feed latency p50 counted from the commit acknowledged (mutation resolved), same run",
        target: "—",
        unit: "ms",
        value: (m) => at(m, 0).feedAckP50Ms,
      },
      {
        label: "PostgreSQL feed latency p99 counted from the commit acknowledged, same run",
        target: "—",
        unit: "ms",
        value: (m) => at(m, 0).feedAckP99Ms,
      },
    ],
    unavailable: postgresUnavailable,
  },
  {
    name: "mirror-bytes",
    runs: (size) => [
      {
        subject: "goal-store",
        palace: "sqlite",
        mode: "paced",
        goals: goalsAt(size, 10_000),
        // 8 s at 500/s; tiny: 0.5 s at 200/s.
        operations: size === "full" ? 4_000 : 100,
        callers: 1,
        rate: size === "full" ? 500 : 200,
      },
    ],
    rows: [
      {
        label: "bytes written to goals.json per mutation, paced 500/s for 8 s, 10k goals",
        target: "≤ 50 KB",
        unit: "KB",
        value: (m) => at(m, 0).cacheBytesWritten / at(m, 0).operations / 1024,
      },
      {
        label: "goals.json behind the last commit, worst case, same run",
        target: "≤ 1 s",
        unit: "s",
        value: (m) => at(m, 0).maxLagMs / 1000,
      },
    ],
  },
  {
    name: "flush-scaling",
    runs: (size) =>
      [goalsAt(size, 100_000), goalsAt(size, 10_000) / (size === "full" ? 1 : 4)].map((goals) => ({
        subject: "goal-store",
        palace: "sqlite",
        mode: "ops",
        goals,
        operations: opsAt(size, 4_000),
        callers: 32,
      })),
    rows: [
      {
        label: "per-op cost including flush, 100k goals / 10k goals (SQLite, 32 callers)",
        target: "≤ 1.2",
        unit: "×",
        value: (m) => at(m, 0).seconds / at(m, 1).seconds,
      },
    ],
  },
  {
    name: "load",
    runs: (size) =>
      (["load", "floor"] as const).map((mode) => ({
        subject: mode === "load" ? "goal-store" : "floor",
        palace: "sqlite",
        mode,
        goals: goalsAt(size, 100_000),
        operations: 0,
        callers: 1,
      })),
    rows: [
      {
        label: "load() at 100k goals / floor (one SELECT + JSON.parse of every row)",
        target: "≤ 2.0",
        unit: "×",
        value: (m) => at(m, 0).seconds / at(m, 1).seconds,
      },
    ],
  },
  {
    name: "in-memory",
    runs: (size) =>
      ["goal-store", "ceiling"].map((subject) => ({
        subject,
        palace: "memory",
        mode: "ops",
        goals: goalsAt(size, 10_000),
        operations: opsAt(size, 20_000),
        callers: 32,
      })),
    rows: [
      {
        label: "in-memory palace, goal-store / palace-writes-only ceiling (ops/s, 32 callers)",
        target: "≥ 0.6",
        unit: "×",
        value: (m) => at(m, 0).opsPerSecond / at(m, 1).opsPerSecond,
      },
    ],
  },
];

// Kept from the first benchmark, run by name only: what a developer would
// otherwise reach for, at 1,000 goals (they manage a few hundred ops a second).
for (const baseline of ["lowdb", "naive port"]) {
  CASES.push({
    name: `vs-${baseline.replace(" ", "-")}`,
    runs: (size) =>
      ["goal-store", baseline].map((subject) => ({
        subject,
        palace: "memory",
        mode: "ops",
        goals: goalsAt(size, 1_000),
        operations: subject === "goal-store" ? opsAt(size, 20_000) : size === "full" ? 300 : 20,
        callers: 1,
      })),
    rows: [
      {
        label: `in-memory palace, 1,000 goals, 1 caller, goal-store / ${baseline} (ops/s)`,
        target: "—",
        unit: "×",
        value: (m) => at(m, 0).opsPerSecond / at(m, 1).opsPerSecond,
      },
    ],
  });
}

/** Run unless named: the target table. */
export const DEFAULT_CASES = ["sqlite-32", "sqlite-1", "postgres-32", "postgres-1", "postgres-feed", "mirror-bytes", "flush-scaling", "load", "in-memory"];
