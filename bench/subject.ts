import type { WireGoal } from "../src/wire/codec.js";
import type { Goal, GoalMemory } from "../src/index.js";
import type { PgTarget } from "./palaces.js";
import type { Operation } from "./workload.js";

/** One implementation under measurement, already holding the preloaded goals. */
export interface Subject {
  /** The goals.json it keeps in step, or `undefined` when it keeps none (the ceiling, the raw loop). */
  readonly cacheFile: string | undefined;
  apply(operation: Operation): Promise<void>;
  /** Resolves once goals.json holds every applied operation. */
  flush(): Promise<void>;
  /** Its in-memory state after the run. */
  state(): Goal[];
  /** Releases what it holds (connections); the time this takes is not measured. */
  close(): Promise<void>;
}

/** What every subject starts from: the same palace and the same goals. */
export interface SubjectContext {
  /** Already holds every preloaded goal. */
  palace: GoalMemory;
  /** The SQLite file behind `palace`, for subjects that open it themselves (the raw loop). */
  sqliteFile: string | undefined;
  /** The PostgreSQL schema behind `palace`, for subjects that connect themselves (the raw loop). */
  postgres: PgTarget | undefined;
  /** A fresh folder for its files. */
  root: string;
  preload: readonly WireGoal[];
  clock: () => Date;
}

/** Builds a subject; the time this takes is not measured. */
export type SubjectFactory = (context: SubjectContext) => Promise<Subject>;
