import { inputSchemas, DEFAULT_LIMITS } from "../src/store/input.js";
import { mintGoalId } from "../src/store/ids.js";
import { appendNote, changeStatus, linkSession, newGoal, updateSession } from "../src/store/rules.js";
import { GoalNotFoundError, type Goal } from "../src/index.js";
import type { Operation } from "./workload.js";

const schemas = inputSchemas(DEFAULT_LIMITS);

/**
 * The goal an operation produces, with goal-store's own validation and rules, so
 * the baselines differ from goal-store only in how they persist.
 */
export function nextGoal(operation: Operation, find: (id: string) => Goal | undefined, now: Date): Goal {
  if (operation.kind === "create") {
    const input = schemas.create.parse(operation);
    return newGoal(mintGoalId(), input.description, input.acceptance, now);
  }
  const current = find(operation.goalId);
  if (current === undefined) throw new GoalNotFoundError(operation.goalId);
  switch (operation.kind) {
    case "link": {
      const input = schemas.link.parse({
        goalId: operation.goalId,
        link: { sessionId: operation.sessionId, task: operation.task },
      });
      return linkSession(current, input.link, now);
    }
    case "update": {
      const { goalId, sessionId, state, evidence } = operation;
      const input = schemas.update.parse({
        goalId,
        update: evidence === undefined ? { sessionId, state } : { sessionId, state, evidence },
      });
      return updateSession(current, input.update, now);
    }
    case "note":
      return appendNote(current, schemas.note.parse(operation).note, now);
    case "status":
      return changeStatus(current, schemas.setStatus.parse(operation).status, now);
  }
}
