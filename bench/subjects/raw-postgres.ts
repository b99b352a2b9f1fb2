import pg from "pg";
import { decodeGoal, encodeGoal } from "../../src/wire/codec.js";
import { GOAL_TAG, type Goal } from "../../src/index.js";
import { compareIds } from "../../src/model.js";
import { nextGoal } from "../apply-rules.js";
import { SerialQueue } from "../serial-queue.js";
import type { SubjectFactory } from "../subject.js";

/**
 * A hand-written loop over ONE pg connection: the same validation and rules,
 * and per mutation the same compare-and-set statement PostgresGoalMemory runs
 * (insert only if absent for a create; update only at the expected revision),
 * each its own autocommit transaction, and nothing else: no mirror, no
 * read-back, no change feed (so no `pg_notify` either, which only makes this
 * baseline cheaper). Concurrent callers share the connection: their queries
 * run one after another in call order (one in flight at a time, as pg wants),
 * and the next goal is computed and recorded before its query is queued, so
 * callers touching the same goal chain their revisions exactly as the store does.
 */
export const rawPostgresSubject: SubjectFactory = async ({ postgres, preload, clock }) => {
  if (postgres === undefined) throw new Error("the raw PostgreSQL loop runs over the postgres palace only");
  const table = `"${postgres.schema}".goal_entries`;
  const create = `INSERT INTO ${table} (tag, goal_id, revision, json) VALUES ($1, $2, $3, $4) ON CONFLICT (tag, goal_id) DO NOTHING`;
  const update = `UPDATE ${table} SET revision = $1, json = $2, seq = DEFAULT, committed_at = clock_timestamp()
    WHERE tag = $3 AND goal_id = $4 AND revision = $5`;
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  const goals = new Map<string, Goal>(preload.map((wire) => [wire.id, decodeGoal(wire)]));
  const queue = new SerialQueue();
  return {
    cacheFile: undefined,
    apply: async (operation) => {
      const goal = nextGoal(operation, (id) => goals.get(id), clock());
      const previous = goals.get(goal.id);
      goals.set(goal.id, goal);
      const json = encodeGoal(goal);
      const { rowCount } = await queue.run(() =>
        previous === undefined
          ? client.query(create, [GOAL_TAG, goal.id, goal.revision, json])
          : client.query(update, [goal.revision, json, GOAL_TAG, goal.id, previous.revision]),
      );
      if (rowCount !== 1) throw new Error(`raw loop: ${goal.id} was not at revision ${previous?.revision ?? "none"}`);
    },
    flush: async () => {},
    state: () => [...goals.values()].sort((a, b) => compareIds(a.id, b.id)),
    close: () => client.end(),
  };
};
