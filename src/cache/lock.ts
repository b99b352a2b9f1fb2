import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { link, open, unlink, utimes, writeFile } from "node:fs/promises";
import { hasCode } from "../errors.js";
import { backoffDelay, type Backoff } from "../util/backoff.js";

interface Owner {
  pid: number;
  host: string;
  token: string;
}

// One file as found at a path: its identity (device and inode, content) and
// whether its owner is gone.
interface Found {
  dev: number;
  ino: number;
  content: string;
  abandoned: boolean;
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
    if (found?.abandoned === true && (await removeAbandoned(lockPath, found, owner))) continue;
    await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, LOCK_RETRY)));
  }
}

// The owner is written to a file of its own first, then linked to the lock
// path (link fails when the path exists): a lock never exists without its
// owner, even when the process dies half way.
async function tryCreate(path: string, owner: Owner): Promise<boolean> {
  const draft = `${path}.${owner.token}.tmp`;
  await writeFile(draft, JSON.stringify(owner), { flag: "wx", mode: 0o600 });
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    // ENOENT: the lock's holder swept our draft as a dead writer's; try again.
    if (hasCode(error, "EEXIST") || hasCode(error, "ENOENT")) return false;
    throw error;
  } finally {
    await unlink(draft).catch(() => {});
  }
}

// What stands at `path`, read through one descriptor so that identity and
// content belong to the same file; `undefined` when nothing does.
async function inspect(path: string): Promise<Found | undefined> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch {
    return undefined; // released meanwhile: just try again
  }
  try {
    const stats = await handle.stat();
    const content = await handle.readFile("utf8");
    const age = Date.now() - stats.mtimeMs;
    // Far in the future counts too: a clock that jumped back must not keep a lock forever.
    const holder = parseOwner(content);
    const abandoned =
      Math.abs(age) > STALE_MS || (holder !== undefined && holder.host === hostname() && !isAlive(holder.pid));
    return { dev: stats.dev, ino: stats.ino, content, abandoned };
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => {});
  }
}

/**
 * Removes the abandoned file `judged` found at `path` (a lock, or a claim
 * below), unless something else stands there by now.
 *
 * Checking that it is still there and then removing it is two steps; if two
 * contenders did both, one could remove a live lock taken in between (issue
 * 19.7: moving the lock aside and linking it back left such a gap). So only
 * the contender that creates `<path>.<identity>.takeover` may remove it: the
 * claim names this one file (inode and content; a new lock has a new random
 * token), so while it is held, the file at `path` can only go away by this
 * contender's hand, and what it checks is what it removes. A later claim on
 * the same identity finds another file at `path` and removes nothing. A claim
 * whose owner died is itself removed the same way, under a claim of its own.
 * @returns whether it removed `judged`.
 */
async function removeAbandoned(path: string, judged: Found, owner: Owner): Promise<boolean> {
  const claim = takeoverClaim(path, judged);
  if (!(await tryCreate(claim, owner))) {
    const claimant = await inspect(claim);
    if (claimant?.abandoned === true) await removeAbandoned(claim, claimant, owner);
    return false;
  }
  try {
    const now = await inspect(path);
    if (now === undefined || identityOf(now) !== identityOf(judged)) return false;
    await unlink(path);
    return true;
  } catch {
    return false;
  } finally {
    await unlink(claim).catch(() => {});
  }
}

/**
 * The claim a contender creates before removing the abandoned file `found` at
 * `path` (internal; exported for tests).
 */
export function takeoverClaim(path: string, found: Pick<Found, "dev" | "ino" | "content">): string {
  return `${path}.${identityOf(found)}.takeover`;
}

function identityOf(found: Pick<Found, "dev" | "ino" | "content">): string {
  return createHash("sha256").update(`${found.dev}:${found.ino}:${found.content}`).digest("hex").slice(0, 32);
}

async function release(lockPath: string, owner: Owner): Promise<void> {
  // Only our own lock: after a takeover the file may be someone else's.
  const found = await inspect(lockPath);
  if (found !== undefined && parseOwner(found.content)?.token === owner.token) await unlink(lockPath).catch(() => {});
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
