import { GoalStatusSchema, type GoalStatus } from "../index.js";
import { postgresTarget, type PostgresTarget } from "./postgres/postgres-target.js";
import { closest } from "./suggest.js";

/** The commands of `goal-store`. */
export type Command = "list" | "show" | "check" | "watch" | "help" | "version";

/** How `list` and `watch` order goals. */
export type SortKey = "id" | "updated" | "created" | "progress";

/** What the command line asked for. */
export interface CliRequest {
  command: Command;
  /** `show`'s goal id or id prefix. */
  goalId: string | undefined;
  /** `help`'s command, if any. */
  topic: string | undefined;
  root: string | undefined;
  sqlite: string | undefined;
  /** The PostgreSQL palace (--postgres, --pg-schema, --pg-table); never together with `sqlite`. */
  postgres: PostgresTarget | undefined;
  json: boolean;
  /** Only goals with these statuses; undefined for all. */
  statuses: readonly GoalStatus[] | undefined;
  sort: SortKey;
}

/** A command line that cannot be run: one line on stderr (made terminal-safe: it may echo what was typed), exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

const COMMANDS: readonly Command[] = ["list", "show", "check", "watch", "help"];
const SORT_KEYS: readonly SortKey[] = ["id", "updated", "created", "progress"];
const STATUSES: readonly string[] = GoalStatusSchema.options;
const VALUE_OPTIONS = ["root", "sqlite", "postgres", "pg-schema", "pg-table", "status", "sort"] as const;
const FLAG_OPTIONS = ["json", "help", "version"] as const;
const ALL_OPTIONS = [...VALUE_OPTIONS, ...FLAG_OPTIONS].map((name) => `--${name}`);
// Options that only make sense for some commands; the rest apply everywhere.
const ONLY_FOR: Readonly<Record<string, readonly Command[]>> = { status: ["list", "watch"], sort: ["list", "watch"] };

type ValueOption = (typeof VALUE_OPTIONS)[number];
type FlagOption = (typeof FLAG_OPTIONS)[number];

/**
 * Parses argv (without node and the script). `env` supplies `GOAL_STORE_ROOT`
 * when neither --root nor --sqlite is given.
 * @throws {UsageError} for an unknown command or option (with a "did you mean"
 *   hint when one is close), a missing value, or no data to read.
 */
export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): CliRequest {
  const values: Partial<Record<ValueOption, string>> = {};
  const flags: Partial<Record<FlagOption, boolean>> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h") {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const [name = "", inline] = splitOption(arg);
    if (isOneOf(name, FLAG_OPTIONS)) {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      flags[name] = true;
    } else if (isOneOf(name, VALUE_OPTIONS)) {
      // `--sqlite --root DIR` lacks the value of --sqlite; "--root" is not a file name.
      const value = inline ?? (argv[i + 1]?.startsWith("--") ? undefined : argv[++i]);
      if (value === undefined || value === "") throw new UsageError(`option --${name} needs a value`);
      values[name] = value;
    } else {
      const hint = closest(arg.split("=")[0] as string, ALL_OPTIONS);
      throw new UsageError(`unknown option ${arg}${hint === undefined ? "; see goal-store help" : `; did you mean ${hint}?`}`);
    }
  }
  const [word, ...rest] = positionals;
  if (flags.version) return request("version", { json: false });
  if (word === undefined) {
    if (flags.help) return request("help", { json: false });
    throw new UsageError("no command given; try goal-store help");
  }
  const command = parseCommand(word);
  if (flags.help || command === "help") {
    const topic = command === "help" ? rest[0] : command;
    if (topic !== undefined && topic !== "help") parseCommand(topic);
    return { ...request("help", { json: false }), topic };
  }
  const expected = command === "show" ? 1 : 0;
  if (rest.length !== expected) {
    throw new UsageError(command === "show" ? "show takes exactly one goal id (or a unique prefix)" : `${command} takes no arguments, got ${JSON.stringify(rest[0])}`);
  }
  for (const [option, commands] of Object.entries(ONLY_FOR)) {
    if (values[option as ValueOption] !== undefined && !commands.includes(command)) {
      throw new UsageError(`option --${option} applies to ${commands.join(" and ")}, not ${command}`);
    }
  }
  const postgres = parsePostgres(values);
  let root = values.root;
  if (root === undefined && values.sqlite === undefined && postgres === undefined) {
    root = env.GOAL_STORE_ROOT || undefined;
    if (root === undefined) {
      throw new UsageError(
        `${command} needs data to read: pass --root DIR (the data root holding sm/goals.json), --sqlite FILE or --postgres URL, or set GOAL_STORE_ROOT`,
      );
    }
  }
  return {
    command,
    goalId: rest[0],
    topic: undefined,
    root,
    sqlite: values.sqlite,
    postgres,
    json: flags.json ?? false,
    statuses: values.status === undefined ? undefined : parseStatuses(values.status),
    sort: values.sort === undefined ? "id" : parseSortKey(values.sort),
  };
}

function request(command: Command, { json }: { json: boolean }): CliRequest {
  return { command, goalId: undefined, topic: undefined, root: undefined, sqlite: undefined, postgres: undefined, json, statuses: undefined, sort: "id" };
}

// One palace at a time: the store has one source of truth, so two would leave
// "which one is the truth" for check to guess.
function parsePostgres(values: Partial<Record<ValueOption, string>>): PostgresTarget | undefined {
  if (values.postgres === undefined) {
    const stray = values["pg-schema"] !== undefined ? "--pg-schema" : values["pg-table"] !== undefined ? "--pg-table" : undefined;
    if (stray !== undefined) throw new UsageError(`option ${stray} applies to --postgres, which is not given`);
    return undefined;
  }
  if (values.sqlite !== undefined) throw new UsageError("--sqlite and --postgres name two palaces; give one of them");
  // pg reads anything else relative to a made-up URL ("foo" fails as "getaddrinfo ENOTFOUND base").
  // The value is not echoed: it may hold a password.
  if (!isPostgresUrl(values.postgres)) {
    throw new UsageError("--postgres needs a connection URL such as postgres://user@host:5432/db (a socket: postgresql:///db?host=/run/postgresql)");
  }
  return postgresTarget(values.postgres, values["pg-schema"], values["pg-table"]);
}

function isPostgresUrl(text: string): boolean {
  try {
    return ["postgres:", "postgresql:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

function parseCommand(word: string): Command {
  if (isOneOf(word, COMMANDS)) return word;
  const hint = closest(word, COMMANDS);
  throw new UsageError(`unknown command ${JSON.stringify(word)}${hint === undefined ? "; see goal-store help" : `; did you mean ${hint}?`}`);
}

function parseStatuses(list: string): GoalStatus[] {
  return list.split(",").map((word) => {
    const status = GoalStatusSchema.safeParse(word.trim());
    if (status.success) return status.data;
    const hint = closest(word.trim(), STATUSES);
    throw new UsageError(`unknown status ${JSON.stringify(word)} in --status; ${hint === undefined ? `use ${STATUSES.join(",")}` : `did you mean ${hint}?`}`);
  });
}

function parseSortKey(word: string): SortKey {
  if (isOneOf(word, SORT_KEYS)) return word;
  const hint = closest(word, SORT_KEYS);
  throw new UsageError(`unknown sort key ${JSON.stringify(word)}; ${hint === undefined ? `use ${SORT_KEYS.join(", ")}` : `did you mean ${hint}?`}`);
}

function splitOption(arg: string): [string, string | undefined] {
  const body = arg.replace(/^--?/, "");
  const equals = body.indexOf("=");
  return equals === -1 ? [body, undefined] : [body.slice(0, equals), body.slice(equals + 1)];
}

function isOneOf<T extends string>(word: string, options: readonly T[]): word is T {
  return (options as readonly string[]).includes(word);
}
