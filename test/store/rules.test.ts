import { describe, expect, it } from "vitest";
import { computeProgress, type Goal, type SessionLink } from "../../src/model.js";
import { appendNote, changeStatus, linkSession, newGoal, updateSession } from "../../src/store/rules.js";
import { ConflictError, GoalNotFoundError, VerificationGateError } from "../../src/errors.js";

const t0 = new Date("2026-06-16T12:00:00Z");
const t1 = new Date("2026-06-16T12:00:01Z");

function links(...states: SessionLink["state"][]): SessionLink[] {
  return states.map((state, i) => ({ sessionId: `s${i}`, task: "t", state, evidence: null }));
}

function goalWith(status: Goal["status"], sessions: SessionLink[]): Goal {
  return { ...newGoal("g-1", "d", [], t0), status, sessions };
}

describe("computeProgress", () => {
  it("is 0 with no links and rounds half up in integer arithmetic", () => {
    expect(computeProgress([])).toBe(0);
    expect(computeProgress(links("verified", "running", "launched"))).toBe(33);
    expect(computeProgress(links("verified", "verified", "failed"))).toBe(67);
    expect(computeProgress(links("verified", "running"))).toBe(50);
    expect(computeProgress(links("verified"))).toBe(100);
    expect(computeProgress(links("failed", "running", "launched", "launched"))).toBe(0);
  });

  it("counts only verified sessions", () => {
    expect(computeProgress(links("running", "failed", "launched"))).toBe(0);
    // 1 of 8 = 12.5 → 13 (half up); 1 of 6 = 16.67 → 17
    expect(computeProgress(links("verified", ...Array<SessionLink["state"]>(7).fill("running")))).toBe(13);
    expect(computeProgress(links("verified", ...Array<SessionLink["state"]>(5).fill("running")))).toBe(17);
  });
});

describe("rules", () => {
  it("newGoal starts pending at revision 1 with created = updated", () => {
    const goal = newGoal("g-1", "d", ["a"], t0);
    expect(goal).toMatchObject({ status: "pending", revision: 1, progress: 0, sessions: [], notes: [] });
    expect(goal.created).toBe(t0);
    expect(goal.updated).toBe(t0);
  });

  it("linkSession moves pending to inProgress, leaves other statuses, never mutates its input", () => {
    const pending = newGoal("g-1", "d", [], t0);
    const linked = linkSession(pending, links("launched")[0] as SessionLink, t1);
    expect(linked.status).toBe("inProgress");
    expect(linked.revision).toBe(2);
    expect(linked.updated).toBe(t1);
    expect(pending.sessions).toEqual([]);
    const blocked = linkSession(goalWith("blocked", []), links("launched")[0] as SessionLink, t1);
    expect(blocked.status).toBe("blocked");
  });

  it("linkSession refuses a session id already linked", () => {
    const goal = goalWith("inProgress", links("running"));
    expect(() => linkSession(goal, { sessionId: "s0", task: "again", state: "launched", evidence: null }, t1)).toThrow(
      ConflictError,
    );
  });

  it("updateSession changes only the named link and recomputes progress", () => {
    const goal = goalWith("inProgress", links("running", "running"));
    const updated = updateSession(goal, { sessionId: "s1", state: "verified", evidence: "PR", note: "n" }, t1);
    expect(updated.sessions[1]).toEqual({ sessionId: "s1", task: "t", state: "verified", evidence: "PR" });
    expect(updated.sessions[0]).toEqual(goal.sessions[0]);
    expect(updated.progress).toBe(50);
    expect(updated.notes).toEqual(["n"]);
    expect(goal.sessions[1]?.state).toBe("running");
  });

  it("updateSession: evidence undefined leaves it, null clears it", () => {
    const goal = updateSession(goalWith("inProgress", links("running")), { sessionId: "s0", evidence: "e" }, t1);
    expect(updateSession(goal, { sessionId: "s0", state: "verified" }, t1).sessions[0]?.evidence).toBe("e");
    expect(updateSession(goal, { sessionId: "s0", evidence: null }, t1).sessions[0]?.evidence).toBeNull();
  });

  it("updateSession on an unknown session is NOT_FOUND with the session id", () => {
    const error = catchError(() => updateSession(goalWith("inProgress", links("running")), { sessionId: "nope" }, t1));
    expect(error).toBeInstanceOf(GoalNotFoundError);
    expect(error).toMatchObject({ goalId: "g-1", sessionId: "nope" });
  });

  it("the gate refuses done without links or with any unverified link", () => {
    expect(catchError(() => changeStatus(goalWith("inProgress", []), "done", t1))).toMatchObject({
      code: "VERIFICATION_GATE",
      verified: 0,
      total: 0,
    });
    expect(catchError(() => changeStatus(goalWith("inProgress", links("verified", "failed")), "done", t1))).toMatchObject({
      verified: 1,
      total: 2,
    });
    expect(changeStatus(goalWith("inProgress", links("verified", "verified")), "done", t1).status).toBe("done");
  });

  it("other statuses are ungated", () => {
    for (const status of ["pending", "inProgress", "blocked", "abandoned"] as const) {
      expect(changeStatus(goalWith("inProgress", links("failed")), status, t1).status).toBe(status);
    }
  });

  it("a done goal cannot gain an unverified link or lose a verification, and reports the counts after the change", () => {
    const done = goalWith("done", links("verified", "verified"));
    const linkError = catchError(() =>
      linkSession(done, { sessionId: "new", task: "t", state: "running", evidence: null }, t1),
    );
    expect(linkError).toBeInstanceOf(VerificationGateError);
    expect(linkError).toMatchObject({ verified: 2, total: 3 });
    const updateError = catchError(() => updateSession(done, { sessionId: "s0", state: "failed" }, t1));
    expect(updateError).toMatchObject({ code: "VERIFICATION_GATE", verified: 1, total: 2 });
    // Changes that keep every link verified are fine.
    expect(linkSession(done, { sessionId: "new", task: "t", state: "verified", evidence: null }, t1).status).toBe("done");
    expect(updateSession(done, { sessionId: "s0", evidence: "more proof", note: "n" }, t1).status).toBe("done");
  });

  it("appendNote appends and bumps revision and updated", () => {
    const goal = appendNote(newGoal("g-1", "d", [], t0), "why", t1);
    expect(goal.notes).toEqual(["why"]);
    expect(goal.revision).toBe(2);
    expect(goal.updated).toBe(t1);
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the action to throw");
}
