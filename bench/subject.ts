import type { WireGoal } from "../src/wire/codec.js";
import type { Goal } from "../src/index.js";
import type { InMemoryGoalMemory } from "../src/testing/index.js";
import type { Operation } from "./workload.js";

/** One implementation under measurement, already holding the preloaded goals. */
export interface Subject {
  /** The goals.json it keeps in step, or `undefined` when it keeps none (the ceiling). */
  readonly cacheFile: string | undefined;
  apply(operation: Operation): Promise<void>;
  /** Resolves once goals.json holds every applied operation. */
  flush(): Promise<void>;
  /** Its in-memory state after the run. */
  state(): Goal[];
}

/** What every subject starts from: the same palace type and the same goals. */
export interface SubjectContext {
  /** Already holds every preloaded goal. */
  palace: InMemoryGoalMemory;
  /** A fresh folder for its files. */
  root: string;
  preload: readonly WireGoal[];
  clock: () => Date;
}

/** Builds a subject; the time this takes is not measured. */
export type SubjectFactory = (context: SubjectContext) => Promise<Subject>;
