import { createRequire } from "node:module";
import { decodeGoal, encodeGoal } from "../../src/wire/codec.js";
import { GOAL_TAG, type Goal } from "../../src/index.js";
import { compareIds } from "../../src/model.js";
import { nextGoal } from "../apply-rules.js";
import type { SubjectFactory } from "../subject.js";

// The statements SqliteGoalMemory runs for a create and for an update, copied
// so the raw loop does exactly the same compare-and-set work per row.
const NEXT_SEQ = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM goal_entries)";
const CREATE = `INSERT INTO goal_entries (tag, goal_id, revision, json, seq) VALUES (?, ?, ?, ?, ${NEXT_SEQ})
  ON CONFLICT (tag, goal_id) DO NOTHING`;
const UPDATE = `UPDATE goal_entries SET revision = ?, json = ?, seq = ${NEXT_SEQ}
  WHERE tag = ? AND goal_id = ? AND revision = ?`;

/**
 * A hand-written better-sqlite3 loop: the same validation and rules, the same
 * compare-and-set statement per mutation (one autocommit transaction each) with
 * the same pragmas (WAL, `synchronous = FULL`), and nothing else: no mirror, no
 * read-back, no listeners. What an orchestrator would get by writing rows itself.
 */
export const rawSqliteSubject: SubjectFactory = async ({ sqliteFile, preload, clock }) => {
  if (sqliteFile === undefined) throw new Error("the raw SQLite loop runs over the sqlite palace only");
  const Database = createRequire(import.meta.url)("better-sqlite3") as typeof import("better-sqlite3");
  const db = new Database(sqliteFile);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  const create = db.prepare(CREATE);
  const update = db.prepare(UPDATE);
  const goals = new Map<string, Goal>(preload.map((wire) => [wire.id, decodeGoal(wire)]));
  return {
    cacheFile: undefined,
    // Synchronous from read to write, so concurrent callers cannot interleave.
    apply: async (operation) => {
      const goal = nextGoal(operation, (id) => goals.get(id), clock());
      const previous = goals.get(goal.id);
      const json = encodeGoal(goal);
      const { changes } =
        previous === undefined
          ? create.run(GOAL_TAG, goal.id, goal.revision, json)
          : update.run(goal.revision, json, GOAL_TAG, goal.id, previous.revision);
      if (changes !== 1) throw new Error(`raw loop: ${goal.id} was not at revision ${previous?.revision ?? "none"}`);
      goals.set(goal.id, goal);
    },
    flush: async () => {},
    state: () => [...goals.values()].sort((a, b) => compareIds(a.id, b.id)),
    close: async () => {
      db.close();
    },
  };
};
