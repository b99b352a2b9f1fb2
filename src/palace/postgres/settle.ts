import { setTimeout as sleep } from "node:timers/promises";
import { backoffDelay } from "../../util/backoff.js";
import type { PgPool } from "./pg-client.js";

/**
 * After a write's connection failed, ends the server process that ran it and
 * waits until it is gone, so the write's outcome is final before the error is
 * reported. Without this, a statement the server is still running commits
 * after the store has read the goal back and concluded "not committed".
 * Matches on `application_name` too: the pid must be one of this adapter's own
 * connections (through a pooler the pid a client sees may be someone else's).
 * @returns whether the process is known to be gone.
 */
export async function settleBackend(pool: PgPool, pid: number, applicationName: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const mine = "pid = $1 AND application_name = $2";
  try {
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${mine}`, [pid, applicationName]);
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const { rowCount } = await pool.query(`SELECT 1 FROM pg_stat_activity WHERE ${mine}`, [pid, applicationName]);
      if (rowCount === 0) return true;
      await sleep(backoffDelay(attempt, { firstMs: 5, maxMs: 100, jitter: "none" }));
    }
  } catch {
    // The server cannot be reached either: the store's read-back will say "unknown".
  }
  return false;
}
