export {
  SqliteGoalMemory,
  type SqliteGoalMemoryOptions,
  type SqliteDatabase,
  type SqliteStatement,
} from "./sqlite-goal-memory.js";
