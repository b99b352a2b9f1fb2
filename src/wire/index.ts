export {
  WireGoalSchema,
  WireSessionLinkSchema,
  GoalFromWireSchema,
  decodeGoal,
  decodeEntry,
  encodeGoal,
  goalToWire,
  type WireGoal,
  type WireSessionLink,
} from "./codec.js";
export { parseRfc3339 } from "./timestamp.js";
export { rebuildGoals, type RebuildResult, type SkippedEntry } from "./rebuild.js";
