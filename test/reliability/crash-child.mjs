// Child of the crash test: commits mutations into a SQLite palace as fast as it
// can while goals.json is rewritten in the background, and acknowledges each
// commit on stdout as "<goal id> <revision>". The parent SIGKILLs it mid-flight.
// Plain JavaScript over the built package, so that it starts in milliseconds.
import { GoalStore } from "../../dist/index.js";
import { SqliteGoalMemory } from "../../dist/sqlite.js";

const [dbPath, dataRoot] = process.argv.slice(2);
const palace = new SqliteGoalMemory(dbPath);
const store = await GoalStore.load(palace, dataRoot);
const ack = (goal) => process.stdout.write(`${goal.id} ${goal.revision}\n`);
process.stdout.write("ready\n");

const ids = store.all().map((goal) => goal.id);
for (let n = 0; ; n++) {
  if (ids.length === 0 || n % 10 === 0) {
    const goal = await store.create(`crash goal ${n} ${"x".repeat(200)}`, ["survives a SIGKILL"]);
    ids.push(goal.id);
    ack(goal);
    continue;
  }
  const id = ids[Math.floor(Math.random() * ids.length)];
  // Un-awaited pairs keep the queue and the mirror busy at the moment of the kill.
  const [noted, again] = await Promise.all([store.note(id, `note ${n}`), store.note(id, `note ${n}b`)]);
  ack(noted);
  ack(again);
  // A real orchestrator waits on its agents between commits; yielding here lets
  // the background goals.json writes run (a synchronous palace in a loop that
  // never yields would starve them until the next flush()).
  await new Promise((resolve) => setImmediate(resolve));
}
