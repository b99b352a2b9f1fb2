import type { Goal } from "../model.js";
import type { CliRequest } from "./args.js";
import { readCacheSource, type SourceReading } from "./sources.js";
import { readNamedPalace } from "./read-palace.js";

/** The goals `list`, `show` and `watch` display, with what the operator must be told on stderr. */
export interface GoalsRead {
  goals: Goal[];
  /** The source the goals came from. */
  source: SourceReading;
  /** Sentences for stderr: skipped entries, a fallback from the palace to goals.json. */
  notices: string[];
}

/** Why no goals could be read: one sentence per source tried. */
export interface GoalsUnreadable {
  errors: string[];
}

/**
 * Reads the goals to display: the palace (the truth) when --sqlite or
 * --postgres is given, else goals.json. As `GoalStore.load` does, an unreadable palace falls back to
 * goals.json when --root is also given, and says so.
 */
export async function readGoals(request: Pick<CliRequest, "root" | "sqlite" | "postgres">): Promise<GoalsRead | GoalsUnreadable> {
  const errors: string[] = [];
  const notices: string[] = [];
  const named = readNamedPalace(request);
  if (named !== undefined) {
    const palace = await named.read();
    if (palace.result !== undefined) return withSkipNotice(palace, palace.result.goals, notices, named.flag);
    errors.push(unreadable(palace));
    if (request.root === undefined) return { errors };
    notices.push(`${unreadable(palace)}; showing goals.json instead, which may lag behind the palace`);
  }
  const cache = await readCacheSource(request.root as string);
  if (cache.result !== undefined) return withSkipNotice(cache, cache.result.goals, notices, `--root ${request.root}`);
  errors.push(unreadable(cache));
  return { errors };
}

/** A source's failure as one sentence. */
export function unreadable(source: SourceReading): string {
  return `${source.name} ${source.path} could not be read: ${source.error ?? "unknown error"}`;
}

function withSkipNotice(source: SourceReading, goals: Goal[], notices: string[], flag: string): GoalsRead {
  const skipped = source.result?.skipped.length ?? 0;
  if (skipped > 0) {
    const entries = skipped === 1 ? "1 entry" : `${skipped} entries`;
    notices.push(`${entries} of ${source.name} ${source.path} could not be read and ${skipped === 1 ? "was" : "were"} skipped; goal-store check ${flag} explains why`);
  }
  return { goals, source, notices };
}
