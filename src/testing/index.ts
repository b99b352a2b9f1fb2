export {
  InMemoryGoalMemory,
  type InMemoryGoalMemoryOptions,
  type InMemoryMode,
  type FaultKind,
} from "../palace/in-memory.js";
export { palaceConformance, type PalaceConformanceOptions, type TestRegistrar } from "./conformance.js";
export { goalFixture, goalEntry } from "./fixtures.js";
