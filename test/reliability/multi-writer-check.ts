import { isDeepStrictEqual } from "node:util";
import type { Goal, GoalStatus, SessionTaskState } from "../../src/index.js";
import { ReferenceModel, type Verdict } from "./reference-model.js";

// The checker of a multi-writer run (a fleet of stores over one palace), kept
// apart from how the run was driven so that any palace's fleet test can reuse
// it: it takes the writers' logs (multi-writer-child.mjs writes them), the
// palace's final entries, and goals.json's final text, and judges the history
// of every goal with the reference model, not with the library's rules.

/** The fleet clock: writer `w`'s `n`-th read is `epoch + n * stride + w`, so every instant names its read. */
export interface FleetClock {
  epoch: number;
  stride: number;
}

export const FLEET_CLOCK: FleetClock = { epoch: Date.parse("2026-01-01T00:00:00.000Z"), stride: 16 };

/** One line of a writer's log. */
export type LogRecord =
  | { t: "start"; seq: number; op: string; goal: string; args: unknown[]; wall: number; tick: number }
  | { t: "end"; seq: number; ok: true; goal: unknown; wall: number; tick: number }
  | { t: "end"; seq: number; ok: false; code: string; outcome?: string; message: string; wall: number; tick: number }
  | { t: "final"; goals: unknown[]; converged: boolean };

/**
 * A writer's log; `killed` when it was SIGKILLed (its last unended op then has
 * an unknown outcome); `setup` for the log of the goals' creation, which is
 * history but not one of the fleet's processes (it has no final view).
 */
export interface WriterLog {
  writer: number;
  records: LogRecord[];
  killed: boolean;
  setup?: boolean;
}

/** What {@link checkFleet} is given. */
export interface FleetInput {
  logs: WriterLog[];
  /** The palace's final entries (`listGoals`), wire format. */
  palace: string[];
  /** goals.json after every surviving writer's final flush; `undefined` to skip that check. */
  goalsJson?: string | undefined;
  clock?: FleetClock;
}

/** The figures of a run, and every violation found. */
export interface FleetReport {
  processes: number;
  kills: number;
  operations: number;
  acknowledged: number;
  /** Acknowledged operations that changed nothing (a status it had) and wrote no revision. */
  unchanged: number;
  refused: number;
  refusedBy: Record<string, number>;
  unknown: number;
  /** Unknown-outcome operations that the palace shows were committed. */
  unknownCommitted: number;
  revisions: number;
  lost: number;
  duplicated: number;
  violations: string[];
}

type Op = {
  writer: number;
  seq: number;
  name: string;
  goal: string;
  args: unknown[];
  startWall: number;
  startTick: number;
  /** Infinity for an op whose end was never logged. */
  endTick: number;
  endWall: number;
  status: "acknowledged" | "refused" | "unknown";
  result?: Goal;
  code?: string;
};

/**
 * Judges a fleet run. Per goal: every revision from 1 to the palace's is
 * written by exactly one logged operation (found from its `updated` instant),
 * never a refused one, an unknown-outcome one at most once; replaying the
 * reference model on revision r−1 with that operation gives revision r;
 * acknowledged results are revisions of that chain; an operation that
 * completed before another started has the lower revision; each note and link
 * appears once if acknowledged, at most once if unknown, never if refused;
 * every surviving store's final view and goals.json equal the palace.
 */
export function checkFleet(input: FleetInput): FleetReport {
  const clock = input.clock ?? FLEET_CLOCK;
  const violations: string[] = [];
  const lost = new Set<Op>();
  const duplicated = new Set<Op>();
  const fail = (message: string) => violations.push(message);
  const name = (op: Op) => `w${op.writer}#${op.seq} ${op.name}(${op.goal}, ${JSON.stringify(op.args)})`;

  const ops = input.logs.flatMap((log) => collectOps(log, fail));
  const byTick = new Map<number, Op[]>();
  for (const op of ops) {
    const list = byTick.get(op.writer) ?? [];
    list.push(op);
    byTick.set(op.writer, list);
  }
  const writerOf = (instant: Date): Op | undefined => {
    const offset = instant.getTime() - clock.epoch;
    const writer = ((offset % clock.stride) + clock.stride) % clock.stride;
    const tick = (offset - writer) / clock.stride;
    return byTick.get(writer)?.find((op) => op.startTick <= tick && tick < op.endTick);
  };

  const palace = new Map<string, Goal>();
  for (const entry of input.palace) {
    const goal = fromWire(JSON.parse(entry));
    if (palace.has(goal.id)) fail(`palace holds two entries for ${goal.id}`);
    palace.set(goal.id, goal);
  }

  let revisions = 0;
  let unknownCommitted = 0;
  let unchanged = 0;
  const opsByGoal = groupBy(ops, (op) => op.goal);
  for (const [goalId, goalOps] of opsByGoal) {
    const top = palace.get(goalId);
    if (top === undefined) {
      fail(`goal ${goalId} is not in the palace`);
      continue;
    }
    revisions += top.revision;
    // Known revisions: the palace's, and every acknowledged result.
    const known = new Map<number, Goal>([[top.revision, top]]);
    for (const op of goalOps) {
      if (op.status !== "acknowledged" || op.result === undefined) continue;
      const held = known.get(op.result.revision);
      if (op.result.revision > top.revision) {
        fail(`${name(op)} acknowledged revision ${op.result.revision}, the palace holds ${top.revision}`);
        lost.add(op);
      } else if (held === undefined) known.set(op.result.revision, op.result);
      else if (!isDeepStrictEqual(held, op.result)) {
        // One of the two is not in the history; which one the chain shows (below).
        fail(`${name(op)} acknowledged revision ${op.result.revision} of ${goalId}, which another holds differently:\n  ${JSON.stringify(op.result)}\n  ${JSON.stringify(held)}`);
      }
    }

    // Walk the chain 1..top: each revision's writer, and the model's replay.
    // A revision nobody acknowledged and nothing explains stays a hole
    // (`undefined`); the walk goes on, checking what it can.
    const chain: (Goal | undefined)[] = [];
    const writers = new Map<Op, number>();
    const attribute = (op: Op, revision: number) => {
      const earlier = writers.get(op);
      if (earlier !== undefined) {
        fail(`${name(op)} wrote revisions ${earlier} and ${revision} of ${goalId}`);
        duplicated.add(op);
      } else writers.set(op, revision);
    };
    for (let revision = 1; revision <= top.revision; revision++) {
      const previous = chain[revision - 2];
      let goal = known.get(revision);
      if (goal === undefined) {
        // Nobody acknowledged it: only an unknown-outcome op may have written it.
        // Any other op that explains it was applied more often than acknowledged.
        const next = known.get(revision + 1);
        const nextWriter = next === undefined ? undefined : writerOf(next.updated);
        const candidates = previous === undefined ? [] : [...goalOps].sort((a, b) => rank(a) - rank(b));
        for (const op of candidates) {
          const derived = replay(previous as Goal, op, instantOf(clock, op.writer, op.startTick));
          if (!("goal" in derived) || derived.unchanged === true) continue;
          if (next !== undefined && (nextWriter === undefined || !replaysTo(derived.goal, nextWriter, next))) continue;
          goal = derived.goal;
          if (op.status === "unknown" && !writers.has(op)) unknownCommitted++;
          else {
            fail(`revision ${revision} of ${goalId}, acknowledged to nobody, is ${op.status} ${name(op)} applied again`);
            duplicated.add(op);
          }
          attribute(op, revision);
          break;
        }
        if (goal === undefined) fail(`revision ${revision} of ${goalId} was acknowledged to nobody and no unknown-outcome op explains it`);
        chain.push(goal);
        continue;
      }
      chain.push(goal);
      const op = writerOf(goal.updated);
      if (op === undefined || op.goal !== goalId) {
        fail(`revision ${revision} of ${goalId} (updated ${goal.updated.toISOString()}) was written by no logged op on it`);
        continue;
      }
      if (op.status === "refused") {
        fail(`refused ${name(op)} (${op.code ?? "?"}) is revision ${revision} of ${goalId}`);
        duplicated.add(op);
      }
      if (op.status === "acknowledged" && op.result?.revision !== revision) {
        fail(`${name(op)} wrote revision ${revision} of ${goalId} but acknowledged ${op.result?.revision ?? "?"}`);
        duplicated.add(op);
      }
      if (op.status === "unknown") unknownCommitted++;
      attribute(op, revision);
      if (revision === 1) {
        const verdict = new ReferenceModel(goal.updated).create(op.args[0], op.args[1], goalId);
        if (!("goal" in verdict) || !isDeepStrictEqual(verdict.goal, goal)) fail(`revision 1 of ${goalId} is not what ${name(op)} creates`);
      } else if (previous !== undefined && !replaysTo(previous, op, goal)) {
        const verdict = replay(previous, op, goal.updated);
        fail(`replaying ${name(op)} on revision ${revision - 1} of ${goalId} does not give revision ${revision}:\n  model ${JSON.stringify(verdict)}\n  palace ${JSON.stringify(goal)}`);
      }
    }

    for (const op of goalOps) {
      if (op.status === "acknowledged" && op.result !== undefined && !writers.has(op)) {
        // It wrote nothing: the model must agree that it had nothing to write.
        const at = chain[op.result.revision - 1];
        const verdict = at === undefined ? undefined : replay(at, op, op.result.updated);
        if (verdict === undefined || !("goal" in verdict) || verdict.unchanged !== true || !isDeepStrictEqual(at, op.result)) {
          fail(`${name(op)} acknowledged revision ${op.result.revision} of ${goalId} but wrote none of it`);
          lost.add(op);
        } else unchanged++;
      }
      if (op.status === "refused" && op.code !== "STALE" && op.code !== "PALACE") {
        // A rule refused it: on some revision of the chain the model refuses it the same way.
        const explained = chain.some((goal) => {
          if (goal === undefined) return false;
          const verdict = replay(goal, op, goal.updated);
          return "error" in verdict && verdict.error === op.code;
        });
        if (!explained) fail(`${name(op)} was refused with ${op.code ?? "?"} although no revision of ${goalId} refuses it so`);
      }
    }

    // Real-time order: among writing ops, one that ended before another started has the lower revision.
    const written = [...writers].sort((a, b) => b[1] - a[1]);
    let minEndAbove = Infinity;
    let endedFirst: Op | undefined;
    for (const [op, revision] of written) {
      if (minEndAbove < op.startWall && endedFirst !== undefined) {
        fail(`${name(endedFirst)} (revision ${writers.get(endedFirst)}) completed before ${name(op)} (revision ${revision}) started`);
      }
      if (op.endWall < minEndAbove) {
        minEndAbove = op.endWall;
        endedFirst = op;
      }
    }
    // And within one writer, its acknowledged results on the goal never go back.
    for (const writerOps of groupBy(goalOps, (op) => op.writer).values()) {
      let last = 0;
      for (const op of writerOps.sort((a, b) => a.seq - b.seq)) {
        if (op.result === undefined) continue;
        if (op.result.revision < last) fail(`${name(op)} acknowledged revision ${op.result.revision} after this writer saw ${last}`);
        last = Math.max(last, op.result.revision);
      }
    }

    // Notes and links carry the op's tag: present once if acknowledged, at most once if unknown, never if refused.
    const notes = countBy(top.notes);
    const tasks = countBy(top.sessions.map((link) => link.task));
    for (const op of goalOps) {
      const mark = traceOf(op);
      if (mark === undefined) continue;
      const seen = (mark.kind === "note" ? notes : tasks).get(mark.text) ?? 0;
      if (seen > 1) {
        fail(`${name(op)}: "${mark.text}" appears ${seen} times in ${goalId}`);
        duplicated.add(op);
      } else if (op.status === "acknowledged" && seen === 0 && writers.has(op)) {
        fail(`${name(op)} was acknowledged but "${mark.text}" is not in ${goalId}`);
        lost.add(op);
      } else if (op.status === "refused" && seen !== 0) {
        fail(`refused ${name(op)}: "${mark.text}" is in ${goalId}`);
        duplicated.add(op);
      }
    }
  }

  // Every surviving store converged to the palace, and goals.json shows it too.
  const palaceGoals = [...palace.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const fleet = input.logs.filter((log) => log.setup !== true);
  for (const log of fleet) {
    const final = log.records.find((record) => record.t === "final");
    if (log.killed) continue;
    if (final === undefined || final.t !== "final") {
      fail(`writer ${log.writer} logged no final view`);
      continue;
    }
    if (!final.converged) fail(`writer ${log.writer}'s store never reached the palace's revisions`);
    const view = final.goals.map((goal) => reviveGoal(goal));
    if (!isDeepStrictEqual(view, palaceGoals)) fail(`writer ${log.writer}'s final view differs from the palace`);
  }
  if (input.goalsJson !== undefined) {
    let mirrored: Goal[] | undefined;
    try {
      const parsed: unknown = JSON.parse(input.goalsJson);
      if (!Array.isArray(parsed)) throw new Error("not a JSON array");
      mirrored = parsed.map(fromWire);
    } catch (error) {
      fail(`goals.json is not a valid goal array: ${String(error)}`);
    }
    if (mirrored !== undefined && !isDeepStrictEqual(mirrored, palaceGoals)) {
      const revisionsOf = (goals: Goal[]) => goals.map((goal) => `${goal.id}@${goal.revision}`).join(" ");
      fail(`goals.json differs from the palace after the final flushes: ${revisionsOf(mirrored)} vs ${revisionsOf(palaceGoals)}`);
    }
  }

  const fleetOps = ops.filter((op) => fleet.some((log) => log.writer === op.writer));
  const refusedBy: Record<string, number> = {};
  for (const op of fleetOps) if (op.status === "refused") refusedBy[op.code ?? "?"] = (refusedBy[op.code ?? "?"] ?? 0) + 1;
  return {
    processes: fleet.length,
    kills: fleet.filter((log) => log.killed).length,
    operations: fleetOps.length,
    acknowledged: fleetOps.filter((op) => op.status === "acknowledged").length,
    unchanged,
    refused: fleetOps.filter((op) => op.status === "refused").length,
    refusedBy,
    unknown: fleetOps.filter((op) => op.status === "unknown").length,
    unknownCommitted,
    revisions,
    lost: lost.size,
    duplicated: duplicated.size,
    violations,
  };

  function replaysTo(previous: Goal, op: Op, expected: Goal): boolean {
    const verdict = replay(previous, op, expected.updated);
    return "goal" in verdict && verdict.unchanged !== true && isDeepStrictEqual(verdict.goal, expected);
  }
}

/** The reference model's verdict on `op` applied to `goal` at instant `now`. */
function replay(goal: Goal, op: Op, now: Date): Verdict {
  const model = new ReferenceModel(now);
  model.commit(goal);
  const [a, b] = op.args;
  switch (op.name) {
    case "note":
      return model.note(op.goal, a);
    case "link":
      return model.link(op.goal, a);
    case "update":
      return model.update(op.goal, a);
    case "setStatus":
      return model.setStatus(op.goal, a);
    case "close":
      return model.setStatus(op.goal, "done");
    case "create":
      return model.create(a, b, op.goal);
    default:
      return { error: `unknown op ${op.name}` };
  }
}

// The text an op leaves in the goal if it commits, unique to the op.
function traceOf(op: Op): { kind: "note" | "task"; text: string } | undefined {
  const arg = op.args[0] as Record<string, unknown> | string | undefined;
  if (op.name === "note" && typeof arg === "string") return { kind: "note", text: arg };
  if (op.name === "update" && typeof arg === "object" && typeof arg.note === "string") return { kind: "note", text: arg.note };
  if (op.name === "link" && typeof arg === "object" && typeof arg.task === "string") return { kind: "task", text: arg.task };
  return undefined;
}

function collectOps(log: WriterLog, fail: (message: string) => void): Op[] {
  const ops: Op[] = [];
  const open = new Map<number, Op>();
  for (const record of log.records) {
    if (record.t === "start") {
      const op: Op = {
        writer: log.writer,
        seq: record.seq,
        name: record.op,
        goal: record.goal,
        args: record.args,
        startWall: record.wall,
        startTick: record.tick,
        endTick: Infinity,
        endWall: Infinity,
        status: "unknown",
      };
      ops.push(op);
      open.set(record.seq, op);
    } else if (record.t === "end") {
      const op = open.get(record.seq);
      if (op === undefined) {
        fail(`writer ${log.writer}: end of op ${record.seq} without a start`);
        continue;
      }
      open.delete(record.seq);
      op.endTick = record.tick;
      op.endWall = record.wall;
      if (record.ok) {
        op.status = "acknowledged";
        op.result = reviveGoal(record.goal);
      } else {
        op.code = record.code;
        // A palace failure the store could not settle: it may or may not have committed.
        op.status = record.code === "PALACE" && record.outcome !== "notCommitted" ? "unknown" : "refused";
        if (record.code === "UNEXPECTED" || record.code === "INVALID_INPUT") fail(`writer ${log.writer} op ${record.seq} failed: ${record.message}`);
      }
    }
  }
  if (open.size > (log.killed ? 1 : 0)) fail(`writer ${log.writer}: ${open.size} ops never ended`);
  return ops;
}

/** A goal as the store returns it, after a JSON round trip (dates as strings). */
function reviveGoal(value: unknown): Goal {
  const goal = value as Goal & { created: string | Date; updated: string | Date };
  return { ...goal, created: new Date(goal.created), updated: new Date(goal.updated) };
}

/** A wire-format entry (SPEC §3) as a goal, decoded without the library's codec. */
function fromWire(value: unknown): Goal {
  const entry = value as Record<string, unknown>;
  const sessions = (entry.sessions as Record<string, unknown>[] | undefined) ?? [];
  return {
    id: entry.id as string,
    description: entry.description as string,
    status: entry.status as GoalStatus,
    acceptance: (entry.acceptance as string[] | undefined) ?? [],
    sessions: sessions.map((link) => ({
      sessionId: link.session_id as string,
      task: link.task as string,
      state: link.state as SessionTaskState,
      evidence: (link.evidence as string | null | undefined) ?? null,
    })),
    progress: entry.progress as number,
    created: new Date(entry.created as string),
    updated: new Date(entry.updated as string),
    notes: (entry.notes as string[] | undefined) ?? [],
    revision: (entry.revision as number | undefined) ?? 0,
  };
}

// Which ops to try first for a revision nobody acknowledged: the ones that may have written it.
function rank(op: Op): number {
  return op.status === "unknown" ? 0 : 1;
}

function instantOf(clock: FleetClock, writer: number, tick: number): Date {
  return new Date(clock.epoch + tick * clock.stride + writer);
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item)) ?? [];
    group.push(item);
    groups.set(key(item), group);
  }
  return groups;
}

function countBy(items: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}
