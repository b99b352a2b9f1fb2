// The PostgreSQL fleet (issue 12): writer processes (multi-writer-child.mjs,
// each a real GoalStore with a data root of its own) on shared goals in one
// fresh schema, connecting through a cutting proxy, while the driver
// terminates their backends, cuts their connections, SIGKILLs one of them and
// restarts the server; then the whole history is judged by checkFleet.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import pg from "pg";
import { GOAL_TAG, GoalStore, type Goal } from "../../src/index.js";
import { PostgresGoalMemory } from "../../src/palace/postgres/index.js";
import { startProxy, type CuttingProxy } from "../support/cutting-proxy.js";
import { checkFleet, FLEET_CLOCK, type FleetReport, type LogRecord, type WriterLog } from "./multi-writer-check.js";
import { MODEL_LIMITS } from "./reference-model.js";
import { seededRandom } from "../support/random.js";
import { readWriterLogs } from "./writer-logs.js";

const CHILD = fileURLToPath(new URL("./multi-writer-child.mjs", import.meta.url));

/** The size and faults of one PostgreSQL fleet run. */
export interface PgFleetOptions {
  /** The server (the children reach it through a cutting proxy on 127.0.0.1). */
  url: string;
  /**
   * Restarts the server (`pg_ctl restart -m immediate`, see pg-cluster.ts);
   * `undefined` when the server is not ours to restart (GOAL_STORE_PG_URL):
   * that step is skipped with a logged line, the rest of the run is not.
   */
  restart: (() => Promise<void>) | undefined;
  /** Writer processes. */
  processes: number;
  /** Operations each writer performs, one at a time. */
  operations: number;
  /** Shared goals they all work on. */
  goals: number;
  /** Times the driver terminates every backend of the writers (`pg_terminate_backend`). */
  terminations: number;
  /** Times the proxy cuts connections (the next write after the server answered it, before it reached it, or every open one). */
  cuts: number;
  /** SIGKILL one writer mid-run. */
  kill: boolean;
  /** Chooses every writer's operations and the faults' moments; the interleaving is the OS's. */
  seed: number;
  /** Where the run says what it skipped; default stderr. */
  log?: (line: string) => void;
}

/** The figures of a run: the checker's, and the faults that happened. */
export type PgFleetStats = FleetReport & {
  seed: number;
  /** Connections cut by the proxy (one per cut of a write, all open ones for a cut of every connection). */
  connectionCuts: number;
  /** Backends ended by `pg_terminate_backend`. */
  terminations: number;
  restarts: number;
};

// Timeouts of the children: the adapter gives up on a statement (and settles
// its backend) well before the store stops waiting for it.
const PALACE = { statementTimeoutMs: 3_000, connectionTimeoutMs: 1_500, heartbeatMs: 1_000, reconnectDelayMs: { min: 20, max: 300 } };
const PALACE_TIMEOUT_MS = 10_000;

type Fault = { at: number; kind: "terminate" | "restart" | "cutAfterReply" | "cutBeforeForward" | "cutOpen" };

/**
 * Runs the fleet and judges it. Throws (with the figures as `stats` and the
 * seed in the message) on any violation. Removes its schema, temp folder,
 * proxy and processes, also when it fails.
 */
export async function runPgFleet(options: PgFleetOptions): Promise<PgFleetStats> {
  const log = options.log ?? ((line: string) => console.error(line));
  const root = await mkdtemp(join(tmpdir(), "goal-store-pg-fleet-"));
  const schema = `gs_fleet_${randomBytes(6).toString("hex")}`;
  let proxy: CuttingProxy | undefined;
  try {
    proxy = await startProxy(Number(new URL(options.url).port || 5432));
    const setup = await createGoals(options.url, schema, join(root, "setup"), options.goals);
    const faults = { connectionCuts: 0, terminations: 0, restarts: 0 };
    const logs = await runWriters(root, schema, proxy, setup.ids, options, faults, log);
    const direct = new PostgresGoalMemory(options.url, { schema });
    let entries: string[];
    try {
      entries = await direct.listGoals(GOAL_TAG);
    } finally {
      await direct.close();
    }
    // Each survivor has a goals.json of its own: every one must show the palace.
    const mirrors = new Map<number, string>();
    for (const writerLog of logs) {
      if (writerLog.killed) continue;
      mirrors.set(writerLog.writer, await readFile(join(dataRootOf(root, writerLog.writer), "sm", "goals.json"), "utf8").catch(() => "missing"));
    }
    const [first] = mirrors.values();
    const report = checkFleet({ logs: [setup.log, ...logs], palace: entries, goalsJson: first });
    for (const [writer, text] of mirrors) {
      if (text !== first && !sameJson(text, first)) report.violations.push(`writer ${writer}'s goals.json differs from the first survivor's`);
    }
    const stats: PgFleetStats = { seed: options.seed, ...report, ...faults };
    if (report.violations.length > 0) {
      const shown = report.violations.slice(0, 10).join("\n");
      throw Object.assign(new Error(`PostgreSQL fleet run (seed ${options.seed}) found ${report.violations.length} violations:\n${shown}`), { stats });
    }
    return stats;
  } finally {
    await proxy?.close();
    await withClient(options.url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).catch((error: unknown) =>
      log(`PostgreSQL fleet: could not drop schema ${schema}: ${String(error)}`),
    );
    // GOAL_STORE_KEEP_FLEET=1 keeps the data roots and the logs for a look.
    if (process.env.GOAL_STORE_KEEP_FLEET === undefined) await rm(root, { recursive: true, force: true });
    else log(`PostgreSQL fleet run kept in ${root}`);
  }
}

function sameJson(a: string, b: string | undefined): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(a), JSON.parse(b ?? ""));
  } catch {
    return false;
  }
}

const dataRootOf = (root: string, writer: number) => join(root, `data-${writer}`);

async function withClient<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates the shared goals as writer 0 (directly, no faults), logging the creates like a child logs its ops. */
async function createGoals(url: string, schema: string, dataRoot: string, count: number): Promise<{ ids: string[]; log: WriterLog }> {
  let tick = 0;
  const clock = () => new Date(FLEET_CLOCK.epoch + tick++ * FLEET_CLOCK.stride);
  const palace = new PostgresGoalMemory(url, { schema });
  const records: LogRecord[] = [];
  const ids: string[] = [];
  await mkdir(dataRoot, { recursive: true });
  try {
    const store = await GoalStore.load(palace, dataRoot, { clock, limits: MODEL_LIMITS });
    for (let seq = 1; seq <= count; seq++) {
      const args = [`fleet goal ${seq}`, ["every writer's change kept once"]];
      const start = { wall: Date.now(), tick };
      const goal: Goal = await store.create(args[0] as string, args[1] as string[]);
      records.push({ t: "start", seq, op: "create", goal: goal.id, args, ...start });
      records.push({ t: "end", seq, ok: true, goal: JSON.parse(JSON.stringify(goal)), wall: Date.now(), tick });
      ids.push(goal.id);
    }
    await store.dispose();
  } finally {
    await palace.close();
  }
  return { ids, log: { writer: 0, records, killed: false, setup: true } };
}

/**
 * Starts the writers, lets them go at once, injects the faults as the
 * writers' total progress passes seed-chosen points (one fault at a time),
 * SIGKILLs the victim once it has logged enough operations, and tells the
 * survivors to converge once every writer has stopped and every fault is
 * over. Waits on events only.
 */
function runWriters(
  root: string,
  schema: string,
  proxy: CuttingProxy,
  goals: string[],
  options: PgFleetOptions,
  figures: { connectionCuts: number; terminations: number; restarts: number },
  log: (line: string) => void,
): Promise<WriterLog[]> {
  const random = seededRandom(options.seed);
  const victim = options.kill ? 1 + Math.floor(random() * options.processes) : -1;
  const killAfter = Math.max(1, Math.floor(options.operations * (0.2 + 0.6 * random())));
  // Fault moments, in the writers' total progress, spread over what they will surely do.
  const total = (options.processes - (options.kill ? 1 : 0)) * options.operations + (options.kill ? killAfter : 0);
  const at = () => Math.floor(total * (0.05 + 0.8 * random()));
  const cutKinds = ["cutAfterReply", "cutOpen", "cutBeforeForward"] as const;
  const faults: Fault[] = [
    ...Array.from({ length: options.terminations }, (): Fault => ({ at: at(), kind: "terminate" })),
    ...Array.from({ length: options.cuts }, (_, i): Fault => ({ at: at(), kind: cutKinds[i % cutKinds.length] ?? "cutOpen" })),
    { at: Math.floor(total * (0.3 + 0.3 * random())), kind: "restart" } satisfies Fault,
  ].sort((a, b) => a.at - b.at);
  const writers = Array.from({ length: options.processes }, (_, i) => i + 1);
  const logPath = (writer: number) => join(root, `writer-${writer}.jsonl`);

  return new Promise<WriterLog[]>((resolve, reject) => {
    const children = new Map<number, ChildProcess>();
    const progress = new Map<number, number>();
    const ready = new Set<number>();
    const stopped = new Set<number>(); // done with its ops, or dead
    const exited = new Set<number>();
    let killed = false;
    let failed = false;
    let injecting: Promise<void> | undefined;
    let converging = false;
    const stderr = new Map<number, string>();

    const abort = (error: Error) => {
      if (failed) return;
      failed = true;
      proxy.disarm();
      for (const [writer, child] of children) if (!exited.has(writer)) child.kill("SIGKILL");
      reject(error);
    };
    const send = (writer: number, line: string) => children.get(writer)?.stdin?.write(`${line}\n`);
    const sum = () => [...progress.values()].reduce((a, b) => a + b, 0);

    // Right after a restart or a cut the writers may hold no connection yet:
    // a fault waits (a while at most) until there is one to hit.
    const whenConnected = async <T>(attempt: () => Promise<T>, hit: (result: T) => boolean): Promise<T> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const result = await attempt();
        if (hit(result) || Date.now() > deadline) return result;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const inject = async (fault: Fault): Promise<void> => {
      switch (fault.kind) {
        case "terminate": {
          // The writers' backends are the ones connected through the proxy.
          const ended = await whenConnected(
            () =>
              withClient(options.url, async (client) => {
                const { rows } = await client.query<{ ended: boolean }>(
                  "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE client_port = ANY($1::int[]) AND pid <> pg_backend_pid()",
                  [proxy.serverPorts()],
                );
                return rows.filter((row) => row.ended).length;
              }),
            (count) => count > 0,
          );
          figures.terminations += ended;
          return;
        }
        case "cutOpen":
          figures.connectionCuts += await whenConnected(async () => proxy.cutOpen(), (count) => count > 0);
          return;
        case "cutAfterReply":
        case "cutBeforeForward":
          // Armed for the next write; counted when it happens (disarmed before converging).
          void proxy.cutNext("UPDATE", fault.kind === "cutAfterReply" ? "afterReply" : "beforeForward").then(() => figures.connectionCuts++);
          return;
        case "restart":
          if (options.restart === undefined) {
            log("PostgreSQL fleet: server restart SKIPPED (GOAL_STORE_PG_URL names a server this run did not start; every other fault runs)");
            return;
          }
          await options.restart();
          figures.restarts++;
          return;
      }
    };
    // One fault at a time, each once the writers' total progress reached its moment.
    const pump = () => {
      if (injecting !== undefined || failed) return;
      const next = faults[0];
      if (next === undefined || (next.at > sum() && stopped.size < writers.length)) return maybeConverge();
      faults.shift();
      injecting = inject(next).then(
        () => {
          injecting = undefined;
          pump();
        },
        (error: unknown) => abort(new Error(`fault ${next.kind} failed (seed ${options.seed}): ${String(error)}`)),
      );
    };
    const maybeConverge = () => {
      if (converging || stopped.size < writers.length || faults.length > 0 || injecting !== undefined) return;
      converging = true;
      proxy.disarm();
      for (const writer of writers) if (writer !== victim || !killed) send(writer, "converge");
    };
    const finish = () => readWriterLogs(writers, logPath, victim);

    for (const writer of writers) {
      const config = {
        writer,
        seed: options.seed,
        ops: options.operations,
        goals,
        dataRoot: dataRootOf(root, writer),
        log: logPath(writer),
        epoch: FLEET_CLOCK.epoch,
        stride: FLEET_CLOCK.stride,
        limits: MODEL_LIMITS,
        palaceTimeoutMs: PALACE_TIMEOUT_MS,
        palace: { kind: "postgres", url: proxy.url(options.url), schema, ...PALACE },
      };
      const child = spawn(process.execPath, [CHILD, JSON.stringify(config)], { stdio: ["pipe", "pipe", "pipe"] });
      children.set(writer, child);
      progress.set(writer, 0);
      stderr.set(writer, "");
      child.stderr?.on("data", (chunk: Buffer) => stderr.set(writer, (stderr.get(writer) ?? "") + chunk.toString()));
      child.stdin?.on("error", () => {});
      child.on("error", abort);
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        if (line === "ready") {
          ready.add(writer);
          if (ready.size === writers.length) for (const w of writers) send(w, "go");
        } else if (line.startsWith("progress ")) {
          progress.set(writer, Number(line.slice(9)));
          if (writer === victim && !killed && Number(line.slice(9)) >= killAfter) {
            killed = true;
            child.kill("SIGKILL");
          }
          pump();
        } else if (line === "done") {
          if (writer === victim && !killed) abort(new Error(`writer ${writer} finished its ops before the planned kill (seed ${options.seed})`));
          else if (writer !== victim) {
            stopped.add(writer);
            pump();
          }
        }
      });
      child.on("close", (code, signal) => {
        exited.add(writer);
        if (writer === victim && signal === "SIGKILL" && killed) {
          stopped.add(writer);
          pump();
        } else if (code !== 0) {
          abort(new Error(`writer ${writer} exited ${code ?? signal} (seed ${options.seed}): ${stderr.get(writer) ?? ""}`));
          return;
        }
        if (exited.size === writers.length && !failed) finish().then(resolve, reject);
      });
    }
  });
}

