export { GoalStore, type GoalChange, type GoalChangeListener, type LoadReport } from "./store.js";
export { GoalCache, defaultCacheFile } from "./cache.js";
export { GOAL_TAG, type GoalMemory, type GoalKey } from "./memory.js";
export {
  GoalSchema,
  GoalStatusSchema,
  SessionLinkSchema,
  SessionTaskStateSchema,
  computeProgress,
  type Goal,
  type GoalStatus,
  type SessionLink,
  type SessionTaskState,
} from "./model.js";
export {
  WireGoalSchema,
  WireSessionLinkSchema,
  GoalFromWireSchema,
  decodeGoal,
  encodeGoal,
  goalToWire,
  type WireGoal,
  type WireSessionLink,
} from "./codec.js";
export {
  GoalStoreError,
  GoalNotFoundError,
  VerificationGateError,
  InvalidInputError,
  ConflictError,
  PalaceError,
  CacheIoError,
  CacheCorruptError,
  type GoalStoreErrorCode,
} from "./errors.js";
export { DEFAULT_LIMITS, type GoalLimits, type LinkInput, type SessionUpdate } from "./input.js";
export type { GoalStoreOptions } from "./options.js";
export type { RebuildResult, SkippedEntry } from "./rebuild.js";
export { formatGoalTable, type GoalTableOptions } from "./format.js";
