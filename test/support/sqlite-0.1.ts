// A SQLite palace as goal-store 0.1 wrote it: its table (no commit sequence),
// its WAL journal and its upsert, copied from src/palace/sqlite/sqlite-goal-memory.ts
// at b32974a~1 (package.json 0.1.0), the last commit before compare-and-set
// added the seq column.
import Database from "better-sqlite3";
import { GOAL_TAG } from "../../src/index.js";

const SCHEMA_0_1 = `
  CREATE TABLE IF NOT EXISTS goal_entries (
    tag      TEXT    NOT NULL,
    goal_id  TEXT    NOT NULL,
    revision INTEGER NOT NULL,
    json     TEXT    NOT NULL,
    PRIMARY KEY (tag, goal_id)
  )`;

const UPSERT_0_1 = `
  INSERT INTO goal_entries (tag, goal_id, revision, json) VALUES (?, ?, ?, ?)
  ON CONFLICT (tag, goal_id) DO UPDATE SET revision = excluded.revision, json = excluded.json
  WHERE excluded.revision >= goal_entries.revision`;

/** Keeps `entries` (goal JSON with `id` and `revision`) in `path` as goal-store 0.1 did, creating the file when missing. */
export function writeAs0_1(path: string, entries: readonly string[]): void {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(SCHEMA_0_1);
    const upsert = db.prepare(UPSERT_0_1);
    for (const json of entries) {
      const { id, revision } = JSON.parse(json) as { id: string; revision: number };
      upsert.run(GOAL_TAG, id, revision, json);
    }
  } finally {
    db.close();
  }
}

/** The columns of the palace table in `path`, read without changing anything. */
export function palaceColumns(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM pragma_table_info('goal_entries')").all() as { name: string }[]).map((column) => column.name);
  } finally {
    db.close();
  }
}
