import { setTimeout as sleep } from "node:timers/promises";
import { backoffDelay } from "../../util/backoff.js";
import type { PgPool, PgPoolClient } from "./pg-client.js";

/**
 * The server process behind one connection: its pid and when it started, which
 * together name it even after the pid is reused.
 */
export interface Backend {
  readonly pid: number;
  readonly started: string;
}

const SELF = "SELECT pid, backend_start::text AS started FROM pg_stat_activity WHERE pid = pg_backend_pid()";
// Ended only when surely the same process; waited for while it may be (a
// backend_start the role may not see reads as NULL, which must not pass for "gone").
const SAME = "pid = $1 AND backend_start::text = $2";
const MAYBE_SAME = "pid = $1 AND (backend_start IS NULL OR backend_start::text = $2)";

/**
 * The backend that runs what `client` sends, or undefined when that cannot be
 * known. Asked of the server, never taken from a name: the connection string
 * may set `application_name`, and a pooler hands out its own pids. Only when
 * the server's answer matches the pid the connection was given at startup
 * (`processID`) does the client talk to that backend directly; through a
 * pooler the next statement may run on another backend, so none is named.
 */
export async function backendOf(client: PgPoolClient): Promise<Backend | undefined> {
  const row = (await client.query(SELF)).rows[0] as { pid: number; started: string } | undefined;
  const processID = (client as { processID?: unknown }).processID;
  return row !== undefined && row.pid === processID ? { pid: row.pid, started: row.started } : undefined;
}

/**
 * After a write's connection failed, ends the server process that ran it and
 * waits until it is gone, so the write's outcome is final before the error is
 * reported. Without this, a statement the server is still running (waiting
 * for a row lock, say) commits after the store has read the goal back and
 * concluded "not committed".
 * @returns whether the process is known to be gone.
 */
export async function settleBackend(pool: PgPool, backend: Backend, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const same = [backend.pid, backend.started];
  try {
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${SAME}`, same);
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const { rowCount } = await pool.query(`SELECT 1 FROM pg_stat_activity WHERE ${MAYBE_SAME}`, same);
      if (rowCount === 0) return true;
      await sleep(backoffDelay(attempt, { firstMs: 5, maxMs: 100, jitter: "none" }));
    }
  } catch {
    // The server cannot be reached either: the store's read-back will say "unknown".
  }
  return false;
}
