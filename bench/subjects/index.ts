import type { SubjectFactory } from "../subject.js";
import { ceilingSubject } from "./ceiling.js";
import { goalStoreSubject } from "./goal-store.js";
import { lowdbSubject } from "./lowdb.js";
import { naivePortSubject } from "./naive-port.js";
import { rawPostgresSubject } from "./raw-postgres.js";
import { rawSqliteSubject } from "./raw-sqlite.js";

/** Every subject, by the name the cases and `--subject` use. */
export const SUBJECTS: Record<string, SubjectFactory> = {
  "goal-store": goalStoreSubject,
  "raw sqlite": rawSqliteSubject,
  "raw postgres": rawPostgresSubject,
  ceiling: ceilingSubject,
  lowdb: lowdbSubject,
  "naive port": naivePortSubject,
};
