import type { ChangeSource } from "./change-source.js";

/** Options of {@link sqlitePalaceChanges}. */
export interface SqliteChangesOptions {
  /**
   * How often `PRAGMA data_version` is read, in ms.
   * @default 500
   */
  pollMs?: number;
}

/**
 * Changes of a SQLite palace, until palaces offer a change feed: SQLite bumps
 * `PRAGMA data_version` on a connection whenever another connection commits, so
 * a cheap pragma every half second on one read-only connection finds every
 * commit without reading any goals.
 */
export function sqlitePalaceChanges(file: string, options: SqliteChangesOptions = {}): ChangeSource {
  return {
    start(onChange) {
      let stopped = false;
      let database: import("better-sqlite3").Database | undefined;
      let last: unknown;
      const poll = () => {
        try {
          database ??= new Database(file, { readonly: true, fileMustExist: true });
          const version = database.pragma("data_version", { simple: true });
          // The first reading reports too, covering commits since watch's first read.
          if (version !== last) onChange();
          last = version;
        } catch {
          // The file may be briefly locked or replaced; reopen on the next poll.
          database?.close();
          database = undefined;
          if (last !== undefined) onChange();
          last = undefined;
        }
      };
      let Database: typeof import("better-sqlite3");
      let timer: NodeJS.Timeout | undefined;
      void import("better-sqlite3").then(({ default: loaded }) => {
        if (stopped) return;
        Database = loaded;
        poll();
        timer = setInterval(poll, options.pollMs ?? 500);
      });
      return () => {
        stopped = true;
        clearInterval(timer);
        database?.close();
      };
    },
  };
}
