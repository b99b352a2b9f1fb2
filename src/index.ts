export { GoalStore, type GoalChange, type GoalChangeListener, type LoadReport } from "./store/goal-store.js";
export type { GoalStoreOptions } from "./store/options.js";
export { DEFAULT_LIMITS, type GoalLimits, type LinkInput, type MutationOptions, type SessionUpdate } from "./store/input.js";
export { findingsFor, type FlaggedGoal } from "./store/load-findings.js";
export { GoalCache, defaultCacheFile } from "./cache/goal-cache.js";
export { GOAL_TAG, type GoalMemory, type GoalKey, type GoalEntry, type PalaceEvent, type PalaceWatch } from "./palace/contract.js";
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
  GoalStoreError,
  GoalNotFoundError,
  VerificationGateError,
  InvalidInputError,
  ConflictError,
  StaleError,
  PalaceError,
  DisposedError,
  CacheIoError,
  CacheCorruptError,
  RevisionOverflowError,
  type GoalStoreErrorCode,
  type PalaceOutcome,
} from "./errors.js";
export type { RebuildResult, SkippedEntry } from "./wire/rebuild.js";
export { formatGoalTable, type GoalTableOptions } from "./format/goal-table.js";
