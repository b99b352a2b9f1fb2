// Three orchestrator processes sharing goals through PostgreSQL: a planner
// creates a goal, two workers (in processes of their own, with data roots of
// their own) link their sessions and verify them, and the planner closes it
// through the verification gate. Each prints what reaches it through the
// change feed (LISTEN/NOTIFY). Run it with `npm run demo:fleet`; it starts a
// throwaway PostgreSQL server unless GOAL_STORE_PG_URL names one.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GoalStore, VerificationGateError, type Goal } from "goal-store";
import { PostgresGoalMemory } from "goal-store/postgres";
import { startCluster, type PgCluster } from "../test/support/pg-cluster.js";
import { dropSchema } from "../test/support/pg-drop.js";

const ROLES = ["planner", "worker-1", "worker-2"] as const;
type Role = (typeof ROLES)[number];
const role = process.argv[2] as Role | undefined;

function describeGoal(goal: Goal): string {
  const links = goal.sessions.map((link) => `${link.sessionId}:${link.state}`).join(", ") || "no sessions";
  return `${goal.id} r${goal.revision} ${goal.status} ${goal.progress}% [${links}]${goal.notes.length > 0 ? ` notes: ${goal.notes.at(-1)}` : ""}`;
}

/** Resolves with the goal once `ready` holds for it, checking on every commit this store sees. */
function until(store: GoalStore, ready: (goal: Goal) => boolean): Promise<Goal> {
  return new Promise((resolve) => {
    const check = () => store.all().find(ready);
    const found = check();
    if (found !== undefined) return resolve(found);
    const stop = store.subscribe(() => {
      const goal = check();
      if (goal === undefined) return;
      stop();
      resolve(goal);
    });
  });
}

async function orchestrator(me: Role, url: string, schema: string): Promise<void> {
  const dataRoot = await mkdtemp(join(tmpdir(), `goal-store-fleet-${me}-`));
  const palace = new PostgresGoalMemory(url, { schema });
  const store = await GoalStore.load(palace, dataRoot, { palaceTimeoutMs: 20_000 });
  store.subscribe(({ goal, origin }) => origin === "remote" && console.log(`feed     ${describeGoal(goal)}`));
  try {
    if (me === "planner") {
      const goal = await store.create("Ship the fleet demo", ["both workers verify"]);
      console.log(`created  ${describeGoal(goal)}`);
      await until(store, (each) => each.sessions.length === 2);
      try {
        await store.close(goal.id);
      } catch (error) {
        if (!(error instanceof VerificationGateError)) throw error;
        console.log(`gate     refused: ${error.message}`);
        await store.note(goal.id, "gate refused an early close");
      }
      await until(store, (each) => each.sessions.every((link) => link.state === "verified"));
      console.log(`closed   ${describeGoal(await store.close(goal.id))}`);
    } else {
      const goal = await until(store, () => true);
      // Both workers link at about the same moment: one write is refused as
      // stale, and the store re-applies it on the fresh goal.
      console.log(`linked   ${describeGoal(await store.link(goal.id, { sessionId: me, task: `${me}'s share`, state: "running" }))}`);
      await until(store, (each) => each.notes.includes("gate refused an early close"));
      const verified = await store.update(goal.id, { sessionId: me, state: "verified", evidence: `${me}: tests green` });
      console.log(`verified ${describeGoal(verified)}`);
      await until(store, (each) => each.status === "done");
    }
  } finally {
    await store.dispose();
    await palace.close();
    await rm(dataRoot, { recursive: true, force: true });
  }
}

async function runChild(me: Role, url: string, schema: string): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), me], {
    env: { ...process.env, GOAL_STORE_PG_URL: url, GOAL_STORE_FLEET_SCHEMA: schema },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let pending = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) console.log(`[${me.padEnd(8)}] ${line}`);
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`${me} exited with code ${String(code)}`);
}

if (role !== undefined) {
  const { GOAL_STORE_PG_URL: url, GOAL_STORE_FLEET_SCHEMA: schema } = process.env;
  if (!ROLES.includes(role) || url === undefined || schema === undefined) throw new Error(`usage: fleet.ts (run without arguments)`);
  await orchestrator(role, url, schema);
} else {
  let cluster: PgCluster | undefined;
  let url = process.env.GOAL_STORE_PG_URL;
  if (url === undefined || url === "") {
    cluster = await startCluster();
    url = cluster.url;
    console.log(`Started a throwaway PostgreSQL server on port ${cluster.port} (set GOAL_STORE_PG_URL to use yours)`);
  }
  // A schema of its own per run, so runs against a shared server never meet.
  const schema = `fleet_${randomBytes(4).toString("hex")}`;
  try {
    console.log(`Three orchestrators share schema ${schema}; each prints what it sees arrive through the feed.\n`);
    await Promise.all(ROLES.map((each) => runChild(each, url, schema)));
    const check = new PostgresGoalMemory(url, { schema });
    const [entry] = await check.listGoals("sm-goal");
    await check.close();
    const goal = JSON.parse(entry ?? "{}") as { id?: string; status?: string; revision?: number };
    console.log(`\nIn PostgreSQL: ${goal.id} ${goal.status} at revision ${goal.revision}`);
  } finally {
    // On a server of yours the run's schema is dropped; a throwaway one goes entirely.
    if (cluster === undefined) await dropSchema(url, schema);
    await cluster?.stop();
  }
}
