import type { Goal } from "../model.js";
import { encodeGoal } from "../wire/codec.js";

/**
 * A valid goal for tests: `pending`, no links, created and updated at
 * 2026-06-16T12:00:00Z, revision 1, with `fields` overriding any of that.
 * `progress` is taken as given, so pass one that matches `sessions` when it matters.
 *
 * @example
 * ```ts
 * const goal = goalFixture({ id: "g-a", revision: 3, notes: ["n"] });
 * ```
 */
export function goalFixture(fields: Partial<Goal> = {}): Goal {
  const at = new Date("2026-06-16T12:00:00.000Z");
  return {
    id: "g-0123456789abcdef",
    description: "a test goal",
    status: "pending",
    acceptance: [],
    sessions: [],
    progress: 0,
    created: at,
    updated: at,
    notes: [],
    revision: 1,
    ...fields,
  };
}

/**
 * A palace entry (wire-format JSON, as `rememberGoal` receives it) for goal
 * `id` at `revision`, its `updated` a second later per revision so that entries
 * also order by time.
 */
export function goalEntry(id: string, revision: number, fields: Partial<Goal> = {}): string {
  const updated = new Date(Date.UTC(2026, 5, 16, 12, 0, 0) + revision * 1000);
  return encodeGoal(goalFixture({ id, description: `goal ${id}`, revision, updated, ...fields }));
}
