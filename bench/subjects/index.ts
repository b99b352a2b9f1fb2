import type { SubjectFactory } from "../subject.js";
import { ceilingSubject } from "./ceiling.js";
import { goalStoreSubject } from "./goal-store.js";
import { lowdbSubject } from "./lowdb.js";
import { naivePortSubject } from "./naive-port.js";
import { rawSqliteSubject } from "./raw-sqlite.js";

/** Every subject, by the name the cases and `--subject` use. */
export const SUBJECTS: Record<string, SubjectFactory> = {
  "goal-store": goalStoreSubject,
  "raw sqlite": rawSqliteSubject,
  ceiling: ceilingSubject,
  lowdb: lowdbSubject,
  "naive port": naivePortSubject,
};
