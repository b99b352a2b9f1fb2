// One contender of the lock takeover stress test (lock-takeover.test.ts): it
// plants a lock of a dead process unless a lock stands, then takes
// goals.json.lock through withFileLock, over and over. Inside, it claims a
// marker file with O_EXCL: finding the marker already there means another
// process holds the lock at the same time. Prints {"overlaps","planted","rounds"};
// a run that stalls (a lock nobody holds any more, left standing) stops after
// 30 s and prints how many rounds it completed.
import { randomBytes } from "node:crypto";
import { link, readFile, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { withFileLock } from "../../src/cache/lock.js";

const [target, marker, roundsText] = process.argv.slice(2) as [string, string, string];
// Above Linux's PID_MAX_LIMIT (2^22): no process ever has it, so signalling it is ESRCH.
const DEAD_PID = 2 ** 22 + 1;

let overlaps = 0;
let planted = 0;
let rounds = 0;
const report = () => process.stdout.write(JSON.stringify({ overlaps, planted, rounds }));
setTimeout(() => {
  report();
  process.exit(0);
}, 30_000).unref();
for (; rounds < Number(roundsText); rounds++) {
  if (await plantDeadLock(`${target}.lock`)) planted++;
  await withFileLock(target, async () => {
    let mine = true;
    try {
      await writeFile(marker, String(process.pid), { flag: "wx" });
    } catch {
      mine = false;
      overlaps++;
    }
    // Stay inside for a few turns of the event loop, so that an overlap has time to show.
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    if (mine) {
      if ((await readFile(marker, "utf8").catch(() => "")) !== String(process.pid)) overlaps++;
      await unlink(marker).catch(() => {});
    }
  });
}
report();

// Writes a lock as a holder that died would leave it; never replaces a lock that stands.
async function plantDeadLock(lockPath: string): Promise<boolean> {
  const draft = `${lockPath}.${randomBytes(16).toString("hex")}.plant`;
  await writeFile(draft, JSON.stringify({ pid: DEAD_PID, host: hostname(), token: randomBytes(16).toString("hex") }));
  try {
    await link(draft, lockPath);
    return true;
  } catch {
    return false;
  } finally {
    await unlink(draft);
  }
}
