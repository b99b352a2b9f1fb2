/** The text of `goal-store --help` and `goal-store help`; README quotes it verbatim. */
export const USAGE = `Usage: goal-store <command> [options]

Reads the goals of a goal-store data root, SQLite palace or PostgreSQL palace,
never changing them.

Commands:
  list          a table of goals: id, status, progress, sessions verified/total,
                last update, description
  show <id>     one goal in full; a unique id prefix is enough (g-c9f7)
  check         validates every entry and reports: corrupt entries (skipped),
                goals marked done with unverified sessions (the verification
                gate), a session linked twice to one goal, and, given --root and
                a palace, every difference between goals.json and the palace
  watch         a live table that redraws as goals change; keys: q quits,
                arrows or j/k move, Enter shows the goal, Esc goes back.
                Not on a terminal: one line per change
  help [cmd]    this text, or one command's

Options:
  --root DIR      a data root: reads DIR/sm/goals.json (default: $GOAL_STORE_ROOT)
  --sqlite FILE   a SQLite palace written by goal-store/sqlite; list, show and
                  watch read it (the truth) and fall back to goals.json, given
                  --root, when it cannot be read
  --postgres URL  a PostgreSQL palace written by goal-store/postgres
                  (postgres://user@host:5432/db), read as --sqlite is; watch
                  follows its LISTEN/NOTIFY feed. Never creates a table: a
                  database without one is refused. Needs pg (npm install pg)
  --pg-schema NAME, --pg-table NAME
                  the palace's table (default: public.goal_entries)
  --status LIST   list, watch: only these statuses, comma-separated
                  (pending,inProgress,blocked,done,abandoned)
  --sort KEY      list, watch: id (default), updated or created (newest first),
                  progress (highest first)
  --json          machine-readable output (watch: one JSON line per change)
  --version       the version of goal-store
  -h, --help      this text

Exit codes:
  0   done; check found nothing wrong
  1   a problem was found: check found problems, no goal (or several) match the
      id, or the data could not be read (also: the server cannot be reached,
      the table is missing, pg is not installed)
  2   bad command line
  70  internal error: a bug in goal-store

Colour is used on a terminal only, and never when NO_COLOR is set.`;

/** Help for one command, for `goal-store help <command>` and `<command> --help`. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  list: `Usage: goal-store list [--root DIR] [--sqlite FILE | --postgres URL]
                       [--status LIST] [--sort KEY] [--json]

A table of goals: id, status, progress, sessions verified/total, last update,
description. Entries that cannot be read are skipped and counted on stderr;
goal-store check explains them.`,
  show: `Usage: goal-store show <id> [--root DIR] [--sqlite FILE | --postgres URL] [--json]

One goal in full: description, gate state, acceptance, sessions with evidence,
notes. A unique prefix of the id is enough; an ambiguous one lists the matches.`,
  check: `Usage: goal-store check [--root DIR] [--sqlite FILE | --postgres URL] [--json]

Validates every entry and reports, one line each:
  - corrupt entries (skipped when the store loads)
  - goals marked done while a session is unverified (the verification gate)
  - a session linked more than once to one goal
  - given --root and a palace (--sqlite or --postgres), every goal that differs
    between goals.json and the palace
Exit 0 when nothing is wrong, 1 otherwise.`,
  watch: `Usage: goal-store watch [--root DIR] [--sqlite FILE | --postgres URL]
                        [--status LIST] [--sort KEY] [--json]

A live table: status, progress bar, sessions verified/total, time since the last
update, the gate (which sessions still block done) and the latest note or
evidence. Redraws when goals.json (--root) or the palace changes (--sqlite: its
commit sequence, polled; --postgres: its LISTEN/NOTIFY feed).
Keys: q quits, arrows or j/k move, Enter shows the goal in full, Esc or
Backspace goes back. Not on a terminal (or with --json), prints one line per
change instead, for logs.`,
  help: `Usage: goal-store help [command]`,
};
