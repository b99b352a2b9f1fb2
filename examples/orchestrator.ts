// The orchestrator scenario goal-store exists for: operator intent becomes
// goals, each fans out to agent sessions, progress follows verification, the
// gate refuses an early close, and everything survives a restart and a palace
// outage. Run it with `npm run demo`; run it again to see earlier goals survive.
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { GoalStore, VerificationGateError, formatGoalTable, type Goal, type GoalMemory } from "goal-store";
import { SqliteGoalMemory } from "goal-store/sqlite";

const dataRoot = resolve(process.env.GOAL_STORE_DEMO_DIR ?? ".goal-store-demo");
const palaceFile = join(dataRoot, "palace.sqlite");

function step(title: string, goals?: readonly Goal[]): void {
  console.log(`\n== ${title}`);
  if (goals !== undefined) console.log(formatGoalTable(goals));
}

/** An agent session: launched, then running, then verified with evidence. */
async function runSession(store: GoalStore, goalId: string, sessionId: string, workMs: number): Promise<void> {
  await sleep(workMs);
  await store.update(goalId, { sessionId, state: "running" });
  await sleep(workMs);
  const goal = await store.update(goalId, { sessionId, state: "verified", evidence: `${sessionId}: tests green` });
  console.log(`  ${sessionId.padEnd(16)} verified → ${goal.id} at ${goal.progress}%`);
}

await mkdir(dataRoot, { recursive: true });
let palace = new SqliteGoalMemory(palaceFile);
let store = await GoalStore.load(palace, dataRoot);
const earlier = store.all();
step(`Started over ${palaceFile}: ${earlier.length} goal(s) from earlier runs`, earlier.length > 0 ? earlier : undefined);

const run = earlier.filter((goal) => goal.description.startsWith("[run ")).length / 2 + 1;
const login = await store.create(`[run ${run}] Ship the login page`, ["form validates input", "e2e test passes"]);
const billing = await store.create(`[run ${run}] Migrate billing to the new API`, ["no failed charges in staging"]);
const thisRun = (): Goal[] => store.all().filter((goal) => goal.id === login.id || goal.id === billing.id);
step("Operator intent became two pending goals", thisRun());

const fanOut: Record<string, string[]> = {
  [login.id]: ["login-form", "login-e2e", "login-docs"],
  [billing.id]: ["billing-client", "billing-backfill"],
};
for (const [goalId, sessions] of Object.entries(fanOut)) {
  for (const sessionId of sessions) await store.link(goalId, { sessionId, task: `work on ${sessionId}` });
}
step("Fanned out to five agent sessions: both goals in progress", thisRun());

// The first verification arrives; the login goal is at 33%.
step("Sessions report in");
await runSession(store, login.id, "login-form", 20);
console.log(formatGoalTable(thisRun()));

try {
  await store.close(login.id);
} catch (error) {
  if (!(error instanceof VerificationGateError)) throw error;
  step(`The gate refused an early close: ${error.message}`);
}

// The remaining sessions run concurrently; the store applies their updates in order.
step("The other four sessions run concurrently");
await Promise.all([
  runSession(store, login.id, "login-e2e", 30),
  runSession(store, login.id, "login-docs", 10),
  runSession(store, billing.id, "billing-client", 25),
  runSession(store, billing.id, "billing-backfill", 15),
]);
step("Every session verified", thisRun());

await store.close(login.id);
await store.note(billing.id, "backfill ran against a staging snapshot");
await store.close(billing.id);
step("Both goals closed through the gate", thisRun());

// A restart: a new palace connection and a new store, rebuilt from the palace.
await store.flush();
palace.close();
palace = new SqliteGoalMemory(palaceFile);
store = await GoalStore.load(palace, dataRoot);
step(
  `Restarted: ${store.loadReport?.goals} goal(s) rebuilt from the palace (source: ${store.loadReport?.source})`,
  store.all(),
);

// A palace outage at startup: the store falls back to the goals.json mirror.
const offline: GoalMemory = {
  rememberGoal: () => Promise.reject(new Error("palace offline")),
  listGoals: () => Promise.reject(new Error("palace offline")),
};
const degraded = await GoalStore.load(offline, dataRoot);
step(
  `Palace outage: ${degraded.loadReport?.goals} goal(s) read from ${degraded.cacheFile} (source: ${degraded.loadReport?.source})`,
  degraded.all(),
);
const refused = await degraded.note(login.id, "written during the outage").catch((error: Error) => error);
console.log(`A write during the outage is refused and nothing changes: ${refused instanceof Error ? refused.message : "?"}`);

palace.close();
console.log(`\nDone. Run \`npm run demo\` again: these goals will be there.`);
