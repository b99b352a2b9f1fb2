// One writer of the multi-writer test (multi-writer-run.ts: one SQLite palace,
// one shared data root) and of the PostgreSQL fleet (pg-fleet-run.ts: one
// schema, a data root per writer, connections cut and terminated; palace
// failures are logged as PALACE with their outcome, and the writer carries on):
// a real GoalStore over a shared palace, doing random notes, links,
// updates, closes and setStatus calls on a handful of shared goals, one at a
// time, and logging every call to its own file as JSON lines:
//   {"t":"start","seq","op","goal","args","wall","tick"}   written BEFORE the call
//   {"t":"end","seq","ok":true,"goal":{…},"wall","tick"}   or
//   {"t":"end","seq","ok":false,"code","outcome","message","wall","tick"}
//   {"t":"final","goals":[…],"converged"}                  after the converge phase
// `tick` is the store clock's counter: the clock reads an op made are exactly
// the ticks in [start.tick, end.tick) (one op at a time), and every tick is a
// distinct instant that names its writer (fleet-clock in multi-writer-check.ts),
// so the checker can tell which op wrote any revision from its `updated`.
// The logs are written synchronously: a SIGKILL loses nothing already logged.
//
// Protocol with the parent, by lines: child → "ready", "progress <n>", "done",
// "frozen", "final"; parent → "go" (start the ops), "converge" (every writer has
// stopped: wait until the store's view equals the palace, flush, log the final
// view, exit). With `freeze: { write, committed }` the child stops dead inside
// its `write`-th palace write, before the palace ran it or after it committed,
// and says "frozen": the parent SIGKILLs it there, mid-operation.
// Plain JavaScript over the built package, so that it starts in milliseconds.
import { closeSync, openSync, writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { GoalStore, GOAL_TAG } from "../../dist/index.js";

const config = JSON.parse(process.argv[2]);
const { writer, seed, ops, goals, dataRoot, log, epoch, stride, limits } = config;

const opened = await openPalace(config.palace);
const palace = freezing(opened, config.freeze);
let tick = 0;
const clock = () => new Date(epoch + tick++ * stride + writer);
const storeOptions = config.palaceTimeoutMs === undefined ? {} : { palaceTimeoutMs: config.palaceTimeoutMs };
const store = await GoalStore.load(palace, dataRoot, { clock, limits, ...storeOptions });
// Ready once the feed listens: every commit after "go" then reaches this store.
await opened.feedReady?.();

const fd = openSync(log, "a", 0o600);
const record = (value) => writeSync(fd, `${JSON.stringify(value)}\n`);
const say = (line) => process.stdout.write(`${line}\n`);

const commands = createInterface({ input: process.stdin });
const waiting = new Map();
commands.on("line", (line) => waiting.get(line)?.());
const command = (name) => new Promise((resolve) => waiting.set(name, resolve));
const go = command("go");
const converge = command("converge");
say("ready");
await go;
// After a palace failure (a cut connection, a server restarting) the writer
// backs off a little before its next op, as an orchestrator would, instead of
// spending its ops on a server that is not there.
let failures = 0; // palace failures in a row

// mulberry32: the ops a writer chooses depend only on the seed and what its store sees.
let state = (seed ^ Math.imul(writer, 0x9e3779b9)) >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (items) => items[Math.floor(random() * items.length)];
const STATES = ["launched", "running", "verified", "verified", "failed"];
const STATUSES = ["inProgress", "blocked", "done", "abandoned", "pending"];

for (let seq = 1; seq <= ops; seq++) {
  const goal = pick(goals);
  const tag = `w${writer}-${seq}`;
  const sessions = store.get(goal)?.sessions ?? [];
  const roll = random();
  let op;
  let args;
  if (roll < 0.25) {
    op = "note";
    args = [`n-${tag}`];
  } else if (roll < 0.45 || sessions.length === 0) {
    // Now and then an id already linked: CONFLICT, which must leave no trace.
    const sessionId = sessions.length > 0 && random() < 0.1 ? pick(sessions).sessionId : `s-${tag}`;
    const link = { sessionId, task: `t-${tag}` };
    if (random() < 0.7) link.state = pick(STATES);
    if (random() < 0.3) link.evidence = `e-${tag}`;
    op = "link";
    args = [link];
  } else if (roll < 0.8) {
    // Now and then a session nobody linked: NOT_FOUND.
    const update = { sessionId: random() < 0.05 ? `s-missing-${tag}` : pick(sessions).sessionId };
    if (random() < 0.8) update.state = pick(STATES);
    if (random() < 0.4) update.evidence = random() < 0.2 ? null : `e-${tag}`;
    if (random() < 0.3) update.note = `u-${tag}`;
    op = "update";
    args = [update];
  } else if (roll < 0.9) {
    op = "close";
    args = [];
  } else {
    op = "setStatus";
    args = [pick(STATUSES)];
  }
  record({ t: "start", seq, op, goal, args, wall: Date.now(), tick });
  try {
    const result = await store[op](goal, ...args);
    record({ t: "end", seq, ok: true, goal: result, wall: Date.now(), tick });
    failures = 0;
  } catch (error) {
    const { code, outcome, message } = error ?? {};
    record({ t: "end", seq, ok: false, code: code ?? "UNEXPECTED", outcome, message: String(message ?? error), wall: Date.now(), tick });
    failures = code === "PALACE" ? failures + 1 : 0;
  }
  say(`progress ${seq}`);
  if (failures > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(200, 5 * 2 ** failures)));
  // A real orchestrator waits on its agents between commits. Yielding lets the
  // feed's polling and the background goals.json writes run: with a synchronous
  // palace a loop that never yields would starve them.
  await new Promise((resolve) => (random() < 0.2 ? setTimeout(resolve, random() * 3) : setImmediate(resolve)));
}
say("done");

await converge;
// Every writer has stopped: the feed (and nothing else) must bring this store to what the palace holds.
let converged = false;
const deadline = Date.now() + 60_000;
while (!converged && Date.now() < deadline) {
  converged = true;
  for (const id of goals) {
    // A read can fail while connections are being cut: not converged yet, read again.
    const entry = await palace.readGoal(GOAL_TAG, id).catch(() => null);
    const held = entry === undefined || entry === null ? entry : JSON.parse(entry).revision;
    if (store.get(id)?.revision !== held) converged = false;
  }
  if (!converged) await new Promise((resolve) => setTimeout(resolve, 5));
}
await store.flush();
record({ t: "final", goals: store.all(), converged });
closeSync(fd);
await store.dispose();
await palace.close();
commands.close();
say("final");

/** The palace, except that its `freeze.write`-th write never settles (see the header). */
function freezing(inner, freeze) {
  if (freeze === undefined) return inner;
  let writes = 0;
  let frozen = false;
  return {
    async rememberGoal(json, tag, key) {
      if (frozen || ++writes < freeze.write) return inner.rememberGoal(json, tag, key);
      // A stale refusal propagates (nothing committed); the next write tries again.
      if (freeze.committed) await inner.rememberGoal(json, tag, key);
      frozen = true;
      say("frozen");
      return new Promise(() => {});
    },
    listGoals: (tag) => inner.listGoals(tag),
    readGoal: (tag, id) => inner.readGoal(tag, id),
    watchGoals: (tag, onEvent) => inner.watchGoals(tag, onEvent),
    close: () => inner.close(),
  };
}

/**
 * Opens the palace a small description names, so that the same child can run a
 * fleet on another palace: `{ kind: "sqlite", file, feedIntervalMs, fault? }`, or
 * `{ kind: "postgres", url, schema, statementTimeoutMs, connectionTimeoutMs, … }`
 * (the rest are PostgresGoalMemory's options).
 * Faults that show the checker catches a broken palace: `"resolveWithoutKeeping"`
 * brings back the defect of issue 11 (a write whose base is gone resolves and
 * keeps nothing: lost writes); `"staleAfterKeeping"` keeps every fifth write
 * and then reports it stale (the store re-applies it: duplicated writes).
 */
async function openPalace(description) {
  switch (description.kind) {
    case "sqlite": {
      const { SqliteGoalMemory } = await import("../../dist/sqlite.js");
      const palace = new SqliteGoalMemory(description.file, { feedIntervalMs: description.feedIntervalMs });
      if (description.fault === "staleAfterKeeping") {
        const keep = palace.rememberGoal.bind(palace);
        let writes = 0;
        palace.rememberGoal = async (json, tag, key) => {
          await keep(json, tag, key);
          if (++writes % 5 === 0) throw Object.assign(new Error("injected: reported stale after keeping"), { code: "STALE" });
        };
      }
      if (description.fault === "resolveWithoutKeeping") {
        const keep = palace.rememberGoal.bind(palace);
        palace.rememberGoal = (json, tag, key) =>
          keep(json, tag, { goalId: key.goalId, revision: key.revision }).catch((error) => {
            if (error?.code !== "STALE") throw error;
          });
      }
      return palace;
    }
    case "postgres": {
      // `{ kind: "postgres", url, schema, statementTimeoutMs, connectionTimeoutMs, heartbeatMs, reconnectDelayMs }`
      const { PostgresGoalMemory } = await import("../../dist/postgres.js");
      const { kind: _kind, url, ...options } = description;
      return new PostgresGoalMemory(url, options);
    }
    default:
      throw new Error(`multi-writer child: no palace of kind ${JSON.stringify(description.kind)}`);
  }
}
