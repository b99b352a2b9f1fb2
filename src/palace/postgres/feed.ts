import { backoffDelay } from "../../util/backoff.js";
import type { FeedWatcher } from "../adapter-support.js";
import type { PalaceEvent, PalaceWatch } from "../contract.js";
import type { PgNotification, PgPoolClient } from "./pg-client.js";
import { quoteIdentifier } from "./schema.js";

/** How the feed keeps its connection alive. */
export interface FeedTiming {
  /** Between two heartbeats (`SELECT 1` on the listening connection), in ms. */
  heartbeatMs: number;
  /** First reconnect delay, doubled on each failure, in ms. */
  reconnectMinMs: number;
  /** Longest reconnect delay, in ms. */
  reconnectMaxMs: number;
}

/**
 * Encodes a write's key as a NOTIFY payload, or `""` (read as "something
 * changed, re-list") when it would not fit PostgreSQL's 8000-byte limit: a
 * notification that failed would fail the write it belongs to.
 */
export function notifyPayload(tag: string, goalId: string, revision: number): string {
  const payload = JSON.stringify([tag, goalId, revision]);
  return Buffer.byteLength(payload) < 7900 ? payload : "";
}

function parsePayload(payload: string | undefined): { tag: string; goalId: string; revision: number } | undefined {
  try {
    const value: unknown = JSON.parse(payload ?? "");
    if (!Array.isArray(value)) return undefined;
    const [tag, goalId, revision] = value as unknown[];
    if (typeof tag !== "string" || typeof goalId !== "string" || typeof revision !== "number") return undefined;
    return { tag, goalId, revision };
  } catch {
    return undefined;
  }
}

/**
 * The change feed of one table: a dedicated connection LISTENing on the
 * table's channel, shared by every watcher of one adapter. Connections die
 * silently (a cut, a restarted server, a NAT dropping an idle flow), so a
 * heartbeat checks it, and a lost connection is replaced with exponential
 * backoff. Notifications sent while no connection listened are lost, so every
 * (re)connect reports a `gap` once LISTEN is in place: the store lists again.
 * The first connect too, since commits between `watchGoals` and LISTEN are
 * missed the same way.
 */
export class NotifyFeed {
  readonly #open: () => Promise<PgPoolClient>;
  readonly #channel: string;
  readonly #timing: FeedTiming;
  readonly #watchers = new Set<FeedWatcher>();
  #running: Promise<void> | undefined;
  #stop: (() => void) | undefined;
  #listening = false;
  #onListening: (() => void)[] = [];

  constructor(open: () => Promise<PgPoolClient>, channel: string, timing: FeedTiming) {
    this.#open = open;
    this.#channel = channel;
    this.#timing = timing;
  }

  /** Adds a watcher, starting the connection for the first one. */
  watch(tag: string, onEvent: (event: PalaceEvent) => void): PalaceWatch {
    const watcher: FeedWatcher = { tag, onEvent };
    this.#watchers.add(watcher);
    this.#running ??= this.#run();
    return {
      close: async () => {
        this.#watchers.delete(watcher);
        if (this.#watchers.size === 0) await this.stop();
      },
    };
  }

  /** Resolves once the connection listens (at once when no watcher is active). */
  ready(): Promise<void> {
    if (this.#running === undefined || this.#listening) return Promise.resolve();
    return new Promise((resolve) => this.#onListening.push(resolve));
  }

  /** Drops every watcher and closes the connection. */
  async stop(): Promise<void> {
    this.#watchers.clear();
    this.#stop?.();
    for (const resolve of this.#onListening.splice(0)) resolve();
    const running = this.#running;
    await running;
    if (this.#running === running) this.#running = undefined;
  }

  #emit(event: PalaceEvent, tag?: string): void {
    for (const watcher of [...this.#watchers]) {
      if (tag !== undefined && watcher.tag !== tag) continue;
      try {
        watcher.onEvent(event);
      } catch {
        // One watcher's failure must not starve the others or kill the connection.
      }
    }
  }

  async #run(): Promise<void> {
    let stopped = false;
    let wake: () => void = () => {};
    this.#stop = () => {
      stopped = true;
      wake();
    };
    for (let attempt = 0; !stopped; attempt++) {
      let client: PgPoolClient | undefined;
      let broken: (cause?: unknown) => void = () => {};
      const lost = new Promise<void>((resolve) => {
        broken = () => resolve();
        wake = () => resolve();
      });
      let heartbeat: NodeJS.Timeout | undefined;
      try {
        client = await this.#open();
        const live = client;
        // Errors and the end of the connection are heard for as long as it lives,
        // also after this loop let go of it (a late error must not crash the process).
        live.on("error", broken);
        live.on("end", broken);
        live.on("notification", (message) => this.#onNotification(message));
        await live.query(`LISTEN ${quoteIdentifier(this.#channel)}`);
        if (stopped) break;
        attempt = 0;
        this.#setListening(true);
        this.#emit({ kind: "gap" });
        heartbeat = setInterval(() => {
          // A dead peer may never answer: the query timeout of the pool (or the
          // next heartbeat finding this one still pending) gives up on it.
          let answered = false;
          live.query("SELECT 1").then(
            () => (answered = true),
            (error: unknown) => broken(error),
          );
          setTimeout(() => answered || broken(new Error("heartbeat unanswered")), this.#timing.heartbeatMs).unref();
        }, this.#timing.heartbeatMs);
        heartbeat.unref();
        await lost;
      } catch {
        // Could not connect or LISTEN: retried below after a pause.
      } finally {
        clearInterval(heartbeat);
        this.#setListening(false);
        // Destroyed, not returned to a pool: it still LISTENs, or is dead.
        client?.release(true);
      }
      if (stopped) break;
      const delay = backoffDelay(attempt, { firstMs: this.#timing.reconnectMinMs, maxMs: this.#timing.reconnectMaxMs, jitter: "half" });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#stop = undefined;
  }

  #setListening(listening: boolean): void {
    this.#listening = listening;
    if (!listening) return;
    for (const resolve of this.#onListening.splice(0)) resolve();
  }

  #onNotification(message: PgNotification): void {
    if (message.channel !== this.#channel) return;
    const key = parsePayload(message.payload);
    if (key === undefined) return this.#emit({ kind: "gap" });
    this.#emit({ kind: "entry", goalId: key.goalId, revision: key.revision }, key.tag);
  }
}
