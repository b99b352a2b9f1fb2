import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { link, readFile, rename, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hasCode } from "../errors.js";
import { backoffDelay, type Backoff } from "../util/backoff.js";

interface Owner {
  pid: number;
  host: string;
  token: string;
}

/** How long a lock may stand before anyone may take it over, whoever holds it. */
const STALE_MS = 30_000;

// A lock is held for one write (milliseconds): retry soon, spread out so that
// waiting stores do not all try again at the same instant.
const LOCK_RETRY: Backoff = { firstMs: 1, maxMs: 50, jitter: "full" };

/**
 * Runs `task` while holding `<path>.lock`, so that several stores (processes)
 * sharing one goals.json write it one at a time.
 *
 * The lock is a file created atomically with its content, naming its owner (pid, host). It is
 * held only for one write (milliseconds), so a holder that died mid-write is
 * the one case to recover from: on the same host a dead pid is noticed at once;
 * otherwise (another host, a pid reused) the lock is taken over once its time,
 * which a live holder refreshes every 10 seconds, is 30 seconds old.
 */
export async function withFileLock<T>(path: string, task: () => Promise<T>): Promise<T> {
  const lockPath = `${path}.lock`;
  const owner: Owner = { pid: process.pid, host: hostname(), token: randomBytes(16).toString("hex") };
  await acquire(lockPath, owner);
  // A holder refreshes the lock's time while it holds it, so a long write (a
  // huge file, a slow disk) is never mistaken for an abandoned lock.
  const heartbeat = setInterval(() => {
    const now = new Date();
    void utimes(lockPath, now, now).catch(() => {});
  }, STALE_MS / 3);
  heartbeat.unref();
  try {
    return await task();
  } finally {
    clearInterval(heartbeat);
    await release(lockPath, owner);
  }
}

async function acquire(lockPath: string, owner: Owner): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(lockPath, owner)) return;
    const found = await inspect(lockPath);
    if (found.abandoned) await takeOver(lockPath, found.content);
    else await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, LOCK_RETRY)));
  }
}

// The owner is written to a file of its own first, then linked to the lock
// path (link fails when the path exists): a lock never exists without its
// owner, even when the process dies half way.
async function tryCreate(lockPath: string, owner: Owner): Promise<boolean> {
  const draft = `${lockPath}.${owner.token}.tmp`;
  await writeFile(draft, JSON.stringify(owner), { flag: "wx", mode: 0o600 });
  try {
    await link(draft, lockPath);
    return true;
  } catch (error) {
    // ENOENT: the lock's holder swept our draft as a dead writer's; try again.
    if (hasCode(error, "EEXIST") || hasCode(error, "ENOENT")) return false;
    throw error;
  } finally {
    await unlink(draft).catch(() => {});
  }
}

// What stands at the lock path, and whether its owner is gone.
async function inspect(lockPath: string): Promise<{ content: string; abandoned: boolean }> {
  let content: string;
  let age: number;
  try {
    [content, age] = await Promise.all([readFile(lockPath, "utf8"), stat(lockPath).then((s) => Date.now() - s.mtimeMs)]);
  } catch {
    return { content: "", abandoned: false }; // released meanwhile: just try again
  }
  // Far in the future counts too: a clock that jumped back must not keep a lock forever.
  if (Math.abs(age) > STALE_MS) return { content, abandoned: true };
  const holder = parseOwner(content);
  return { content, abandoned: holder !== undefined && holder.host === hostname() && !isAlive(holder.pid) };
}

// Moves the abandoned lock aside, then makes sure it was the one judged
// abandoned; a fresh lock taken in between by a third process goes back.
async function takeOver(lockPath: string, judged: string): Promise<void> {
  const aside = `${lockPath}.${randomBytes(8).toString("hex")}.abandoned`;
  try {
    await rename(lockPath, aside);
  } catch {
    return; // someone else took it over first
  }
  const moved = await readFile(aside, "utf8").catch(() => judged);
  // link, unlike rename, never replaces a lock created since.
  if (moved !== judged) await link(aside, lockPath).catch(() => {});
  await unlink(aside).catch(() => {});
}

async function release(lockPath: string, owner: Owner): Promise<void> {
  // Only our own lock: after a takeover the file may be someone else's.
  const content = await readFile(lockPath, "utf8").catch(() => "");
  if (parseOwner(content)?.token === owner.token) await unlink(lockPath).catch(() => {});
}

function parseOwner(content: string): Owner | undefined {
  try {
    const value = JSON.parse(content) as Partial<Owner>;
    return typeof value.pid === "number" && typeof value.host === "string" && typeof value.token === "string"
      ? (value as Owner)
      : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return !hasCode(error, "ESRCH");
  }
}
