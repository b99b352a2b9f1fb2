export {
  InMemoryGoalMemory,
  type InMemoryGoalMemoryOptions,
  type InMemoryMode,
  type FaultKind,
} from "./in-memory-goal-memory.js";
export { palaceConformance, type PalaceConformanceOptions, type TestRegistrar } from "./conformance.js";
