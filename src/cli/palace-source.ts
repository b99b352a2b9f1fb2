import { GOAL_TAG, type PalaceEvent, type PalaceWatch } from "../index.js";
import { decodeEntry, rebuildGoals } from "../wire/index.js";
import type { ChangeSource } from "./watch/change-source.js";
import { describeFailure, type SourceReading } from "./source-reading.js";

/** The parts of a palace adapter (goal-store/sqlite, goal-store/postgres, opened read-only) the CLI uses. */
export interface ReadOnlyPalace {
  listGoals(tag: string): Promise<string[]>;
  watchGoals(tag: string, onEvent: (event: PalaceEvent) => void): PalaceWatch;
  close(): void | Promise<void>;
}

/** The palace the command line names, opened once per run and read as often as asked (watch reads it on every change). */
export interface PalaceSource {
  /** What to call it in messages (never a password). */
  readonly path: string;
  /** The options that name it, for a hint such as "goal-store check --sqlite FILE explains why"; no password. */
  readonly flag: string;
  /** Reads every goal entry. */
  read(): Promise<SourceReading>;
  /** Its change feed, for watch. */
  changes(): ChangeSource;
  /** Releases what reading held (a file, a pool of connections). */
  close(): Promise<void>;
}

/** How {@link palaceSource} reaches one kind of palace. */
export interface PalaceOpener {
  path: string;
  flag: string;
  /** Opens the adapter read-only; called again after a failure (the file may appear, the server come back). */
  open(): Promise<ReadOnlyPalace>;
  /** Why reading failed, in one line; {@link describeFailure} unless the palace has better words. */
  describe?: (error: unknown) => string;
}

/** A {@link PalaceSource} over one adapter, opened at the first read and shared by every read and the feed. */
export function palaceSource(opener: PalaceOpener): PalaceSource {
  const describe = opener.describe ?? describeFailure;
  let opened: Promise<ReadOnlyPalace> | undefined;
  const palace = (): Promise<ReadOnlyPalace> =>
    (opened ??= opener.open().catch((error: unknown) => {
      opened = undefined;
      throw error;
    }));
  return {
    path: opener.path,
    flag: opener.flag,
    async read() {
      try {
        const entries = await (await palace()).listGoals(GOAL_TAG);
        return { name: "palace", path: opener.path, result: rebuildGoals(entries, decodeEntry), error: undefined };
      } catch (error) {
        return { name: "palace", path: opener.path, result: undefined, error: describe(error) };
      }
    },
    changes: () => feedChanges(palace),
    async close() {
      const closing = opened;
      opened = undefined;
      const adapter = await closing?.catch(() => undefined);
      await adapter?.close();
    },
  };
}

/**
 * Changes of a palace, from its change feed: watch reads every goal again on
 * any event, so an entry and a `gap` (the feed may have missed something: a
 * PostgreSQL feed that (re)connected, a goal-store 0.1 SQLite file, which has
 * no commit sequence) are handled alike. The adapter's feed reconnects by itself.
 */
function feedChanges(palace: () => Promise<ReadOnlyPalace>): ChangeSource {
  return {
    start(onChange) {
      let stopped = false;
      let release: () => Promise<void> = async () => {};
      const started = palace().then(
        (opened) => {
          if (stopped) return;
          const feed = opened.watchGoals(GOAL_TAG, () => onChange());
          // Commits between watch's first read and the feed's start are covered by one read now.
          onChange();
          // The feed's timers are unref'd (a library user's process must be
          // able to exit), and while a PostgreSQL feed waits to reconnect no
          // socket is open either: without this, a log-mode watch (which only
          // waits for a signal) would exit as soon as the server went away.
          const keepAlive = setInterval(() => {}, 60_000);
          release = async () => {
            clearInterval(keepAlive);
            await feed.close();
          };
        },
        () => {
          // Could not be opened: watch's first read said why, and it watches goals.json then.
        },
      );
      return async () => {
        stopped = true;
        await started;
        await release();
      };
    },
  };
}
