import type { WireGoal } from "../src/wire/codec.js";
import type { Goal, GoalStatus, SessionTaskState } from "../src/index.js";
import { seededRandom } from "../test/support/random.js";

/** One operation of the timed mix, independent of the implementation under test. */
export type Operation =
  | { kind: "create"; description: string; acceptance: string[] }
  | { kind: "link"; goalId: string; sessionId: string; task: string }
  | { kind: "update"; goalId: string; sessionId: string; state: SessionTaskState; evidence?: string }
  | { kind: "note"; goalId: string; note: string }
  | { kind: "status"; goalId: string; status: GoalStatus };

/** What every implementation must end with after applying the same operations. */
interface ExpectedGoal {
  status: GoalStatus;
  sessions: Map<string, SessionTaskState>;
  notes: number;
}

/** A seeded workload: the preloaded goals, the timed operations, and the state they must produce. */
export interface Workload {
  preload: WireGoal[];
  operations: Operation[];
  /** Throws, saying what differs, unless `goals` is exactly what the workload produces. */
  verify(goals: readonly Goal[]): void;
}

const PRELOAD_TIME = "2026-06-16T12:00:00Z";


/**
 * Builds `goals` preloaded goals (3 sessions, 2 acceptance items and a note each,
 * about 1 KB of pretty JSON) and `operations` operations in the mix:
 * 40% session state updates (launched → running → verified, evidence on verify),
 * 20% new links, 20% notes, 10% creates, 10% status changes blocked ⇄ inProgress.
 */
export function buildWorkload(goals: number, operations: number, seed = 42): Workload {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const hex = (length: number) =>
    Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join("");

  const preload: WireGoal[] = [];
  const expected = new Map<string, ExpectedGoal>();
  const ids = new Set<string>();
  while (preload.length < goals) {
    const id = `g-${hex(16)}`;
    if (ids.has(id)) continue;
    ids.add(id);
    const i = preload.length;
    const sessions = [0, 1, 2].map((s) => ({
      session_id: `sess-${i}-${s}`,
      task: `Implement part ${s + 1} of feature ${i} and cover it with integration tests`,
      state: pick(["launched", "running"] as const),
      evidence: null,
    }));
    preload.push({
      id,
      description: `Goal ${i}: migrate the ${pick(["billing", "auth", "search", "reports"])} service to the new platform API`,
      status: "inProgress",
      acceptance: [`All tests for feature ${i} pass in CI`, `The operator signs off on feature ${i}`],
      sessions,
      progress: 0,
      created: PRELOAD_TIME,
      updated: PRELOAD_TIME,
      notes: [`Decision: feature ${i} ships behind a flag until the operator signs off`],
      revision: 5,
    });
    expected.set(id, {
      status: "inProgress",
      sessions: new Map(sessions.map((link) => [link.session_id, link.state])),
      notes: 1,
    });
  }

  const targets = preload.map((goal) => goal.id);
  const created: string[] = [];
  const ops: Operation[] = [];
  let nextSession = 0;
  for (let n = 0; n < operations; n++) {
    const roll = random();
    const goalId = pick(targets);
    const goal = expected.get(goalId) as ExpectedGoal;
    if (roll < 0.4) {
      const open = [...goal.sessions].filter(([, state]) => state !== "verified");
      if (open.length > 0) {
        const [sessionId, state] = pick(open);
        const next = state === "launched" ? "running" : "verified";
        goal.sessions.set(sessionId, next);
        ops.push(
          next === "verified"
            ? { kind: "update", goalId, sessionId, state: next, evidence: `CI run ${hex(8)}: 214 tests passed` }
            : { kind: "update", goalId, sessionId, state: next },
        );
        continue;
      }
      // Every session already verified: the orchestrator links more work instead.
    }
    if (roll < 0.6) {
      const sessionId = `extra-${nextSession++}`;
      goal.sessions.set(sessionId, "launched");
      ops.push({ kind: "link", goalId, sessionId, task: `Follow-up task ${sessionId}: fix review comments` });
    } else if (roll < 0.8) {
      goal.notes++;
      ops.push({ kind: "note", goalId, note: `Blocker cleared after review round ${hex(4)}` });
    } else if (roll < 0.9) {
      const description = `New goal ${created.length}: investigate flaky test ${hex(6)}`;
      created.push(description);
      ops.push({ kind: "create", description, acceptance: ["The test passes 100 runs in a row"] });
    } else {
      goal.status = goal.status === "blocked" ? "inProgress" : "blocked";
      ops.push({ kind: "status", goalId, status: goal.status });
    }
  }

  return {
    preload,
    operations: ops,
    verify(goals) {
      const fail = (what: string) => {
        throw new Error(`benchmark result is wrong: ${what}`);
      };
      if (goals.length !== preload.length + created.length) {
        fail(`${goals.length} goals, expected ${preload.length + created.length}`);
      }
      const newDescriptions: string[] = [];
      for (const goal of goals) {
        const want = expected.get(goal.id);
        if (want === undefined) {
          newDescriptions.push(goal.description);
          if (goal.status !== "pending" || goal.revision !== 1) fail(`created goal ${goal.id} was changed`);
          continue;
        }
        if (goal.status !== want.status) fail(`${goal.id} is ${goal.status}, expected ${want.status}`);
        if (goal.notes.length !== want.notes) fail(`${goal.id} has ${goal.notes.length} notes, expected ${want.notes}`);
        const states = new Map(goal.sessions.map((link) => [link.sessionId, link.state]));
        if (states.size !== want.sessions.size) fail(`${goal.id} has ${states.size} sessions, expected ${want.sessions.size}`);
        for (const [sessionId, state] of want.sessions) {
          if (states.get(sessionId) !== state) fail(`${goal.id} session ${sessionId} is ${states.get(sessionId)}, expected ${state}`);
        }
      }
      if (newDescriptions.sort().join("\n") !== [...created].sort().join("\n")) fail("created goals differ");
    },
  };
}
