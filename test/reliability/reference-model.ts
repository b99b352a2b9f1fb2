import type { Goal, GoalStatus, SessionTaskState } from "../../src/index.js";

// An independent, deliberately naive statement of the contract (SPEC §2–§5),
// written without the library's schemas or rules so that a bug shared by both
// cannot hide. It decides what each call must do; the palace decides whether a
// call that reaches it commits.

const STATUSES: readonly unknown[] = ["pending", "inProgress", "blocked", "done", "abandoned"];
const STATES: readonly unknown[] = ["launched", "running", "verified", "failed"];

/** The limits the model-based store runs with: small, so oversized input is cheap to generate. */
export const MODEL_LIMITS = { text: 40, evidence: 60 };

/**
 * What a call must do: fail before the palace, produce the next revision of a
 * goal, or (`unchanged`) return the goal as it is without writing anything.
 */
export type Verdict = { error: string } | { goal: Goal; unchanged?: true };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed.length >= 1 && trimmed.length <= MODEL_LIMITS.text ? trimmed : undefined;
};
const evidenceOk = (value: unknown) => value === null || (typeof value === "string" && value.length <= MODEL_LIMITS.evidence);
const onlyKeys = (value: Record<string, unknown>, keys: string[]) => Object.keys(value).every((key) => keys.includes(key));
const invalid: Verdict = { error: "INVALID_INPUT" };

function progressOf(sessions: Goal["sessions"]): number {
  if (sessions.length === 0) return 0;
  const verified = sessions.filter((link) => link.state === "verified").length;
  return Math.floor((100 * verified + Math.floor(sessions.length / 2)) / sessions.length);
}

const gateOpen = (sessions: Goal["sessions"]) => sessions.length > 0 && sessions.every((link) => link.state === "verified");

/** The model: committed goals by id, advanced only by {@link ReferenceModel.commit}. */
export class ReferenceModel {
  readonly goals = new Map<string, Goal>();

  constructor(private readonly now: Date) {}

  /** Sorted like `store.all()`. */
  all(): Goal[] {
    return [...this.goals.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** An independent copy, to rehearse a batch on. */
  copy(): ReferenceModel {
    const copy = new ReferenceModel(this.now);
    for (const [id, goal] of this.goals) copy.goals.set(id, goal);
    return copy;
  }

  commit(goal: Goal): void {
    this.goals.set(goal.id, goal);
  }

  create(description: unknown, acceptance: unknown = [], id = "g-new"): Verdict {
    const normalised = typeof description === "string" ? text(description.replace(/\s+/g, " ")) : undefined;
    if (normalised === undefined || !Array.isArray(acceptance)) return invalid;
    const items = acceptance.map(text);
    if (items.some((item) => item === undefined)) return invalid;
    return {
      goal: {
        id,
        description: normalised,
        status: "pending",
        acceptance: items as string[],
        sessions: [],
        progress: 0,
        created: this.now,
        updated: this.now,
        notes: [],
        revision: 1,
      },
    };
  }

  link(goalId: unknown, link: unknown): Verdict {
    if (!validId(goalId) || !isObject(link) || !onlyKeys(link, ["sessionId", "task", "state", "evidence"])) return invalid;
    const sessionId = text(link.sessionId);
    const task = text(link.task);
    if (sessionId === undefined || task === undefined) return invalid;
    if (link.state !== undefined && !STATES.includes(link.state)) return invalid;
    if (link.evidence !== undefined && !evidenceOk(link.evidence)) return invalid;
    const goal = this.goals.get(goalId);
    if (goal === undefined) return { error: "NOT_FOUND" };
    if (goal.sessions.some((existing) => existing.sessionId === sessionId)) return { error: "CONFLICT" };
    const sessions = [
      ...goal.sessions,
      {
        sessionId,
        task,
        state: (link.state ?? "launched") as SessionTaskState,
        evidence: (link.evidence ?? null) as string | null,
      },
    ];
    if (goal.status === "done" && !gateOpen(sessions)) return { error: "VERIFICATION_GATE" };
    return this.#next(goal, { sessions, status: goal.status === "pending" ? "inProgress" : goal.status });
  }

  update(goalId: unknown, update: unknown): Verdict {
    if (!validId(goalId) || !isObject(update) || !onlyKeys(update, ["sessionId", "state", "evidence", "note"])) return invalid;
    const sessionId = text(update.sessionId);
    if (sessionId === undefined) return invalid;
    if (update.state !== undefined && !STATES.includes(update.state)) return invalid;
    if (update.evidence !== undefined && !evidenceOk(update.evidence)) return invalid;
    const note = update.note === undefined ? undefined : text(update.note);
    if (update.note !== undefined && note === undefined) return invalid;
    const goal = this.goals.get(goalId);
    if (goal === undefined) return { error: "NOT_FOUND" };
    const index = goal.sessions.findIndex((link) => link.sessionId === sessionId);
    if (index === -1) return { error: "NOT_FOUND" };
    const sessions = goal.sessions.map((link, i) =>
      i !== index
        ? link
        : {
            ...link,
            state: (update.state ?? link.state) as SessionTaskState,
            evidence: (update.evidence === undefined ? link.evidence : update.evidence) as string | null,
          },
    );
    const link = goal.sessions[index] as Goal["sessions"][number];
    const same = (sessions[index] as typeof link).state === link.state && (sessions[index] as typeof link).evidence === link.evidence;
    if (note === undefined && same) return { goal, unchanged: true };
    if (goal.status === "done" && !gateOpen(sessions)) return { error: "VERIFICATION_GATE" };
    return this.#next(goal, { sessions, notes: note === undefined ? goal.notes : [...goal.notes, note] });
  }

  note(goalId: unknown, note: unknown): Verdict {
    const trimmed = text(note);
    if (!validId(goalId) || trimmed === undefined) return invalid;
    const goal = this.goals.get(goalId);
    if (goal === undefined) return { error: "NOT_FOUND" };
    return this.#next(goal, { notes: [...goal.notes, trimmed] });
  }

  setStatus(goalId: unknown, status: unknown): Verdict {
    if (!validId(goalId) || !STATUSES.includes(status)) return invalid;
    const goal = this.goals.get(goalId);
    if (goal === undefined) return { error: "NOT_FOUND" };
    if (status === "done" && !gateOpen(goal.sessions)) return { error: "VERIFICATION_GATE" };
    if (status === goal.status) return { goal, unchanged: true };
    return this.#next(goal, { status: status as GoalStatus });
  }

  #next(goal: Goal, changes: Partial<Goal>): Verdict {
    const next = { ...goal, ...changes, updated: this.now, revision: goal.revision + 1 };
    return { goal: { ...next, progress: progressOf(next.sessions) } };
  }
}

function validId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}
