import { GoalStore } from "../../src/index.js";
import type { SubjectFactory } from "../subject.js";

/** goal-store itself, loaded from the palace, which already holds the preloaded goals. */
export const goalStoreSubject: SubjectFactory = async ({ palace, root, clock }) => {
  const store = await GoalStore.load(palace, root, { clock });
  return {
    cacheFile: store.cacheFile,
    async apply(operation) {
      switch (operation.kind) {
        case "create":
          await store.create(operation.description, operation.acceptance);
          return;
        case "link":
          await store.link(operation.goalId, { sessionId: operation.sessionId, task: operation.task });
          return;
        case "update": {
          const { goalId, sessionId, state, evidence } = operation;
          await store.update(goalId, evidence === undefined ? { sessionId, state } : { sessionId, state, evidence });
          return;
        }
        case "note":
          await store.note(operation.goalId, operation.note);
          return;
        case "status":
          await store.setStatus(operation.goalId, operation.status);
          return;
      }
    },
    flush: () => store.flush(),
    state: () => store.all(),
    close: () => store.dispose(),
  };
};
