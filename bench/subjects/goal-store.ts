import { GoalStore, type Goal } from "../../src/index.js";
import type { SubjectFactory } from "../subject.js";
import type { Operation } from "../workload.js";

/** Applies one workload operation through the store's public API; resolves with the committed goal. */
export function applyOperation(store: GoalStore, operation: Operation): Promise<Goal> {
  switch (operation.kind) {
    case "create":
      return store.create(operation.description, operation.acceptance);
    case "link":
      return store.link(operation.goalId, { sessionId: operation.sessionId, task: operation.task });
    case "update": {
      const { goalId, sessionId, state, evidence } = operation;
      return store.update(goalId, evidence === undefined ? { sessionId, state } : { sessionId, state, evidence });
    }
    case "note":
      return store.note(operation.goalId, operation.note);
    case "status":
      return store.setStatus(operation.goalId, operation.status);
  }
}

/** goal-store itself, loaded from the palace, which already holds the preloaded goals. */
export const goalStoreSubject: SubjectFactory = async ({ palace, root, clock }) => {
  const store = await GoalStore.load(palace, root, { clock });
  return {
    cacheFile: store.cacheFile,
    async apply(operation) {
      await applyOperation(store, operation);
    },
    flush: () => store.flush(),
    state: () => store.all(),
    close: () => store.dispose(),
  };
};
