import type { Goal } from "../index.js";
import { readCacheSource } from "./cache-source.js";
import type { PalaceSource } from "./palace-source.js";
import { unreadable, type SourceReading } from "./source-reading.js";

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
 * --postgres is given, else goals.json under `root`. As `GoalStore.load` does,
 * an unreadable palace falls back to goals.json when --root is also given,
 * and says so.
 */
export async function readGoals(palace: PalaceSource | undefined, root: string | undefined): Promise<GoalsRead | GoalsUnreadable> {
  const errors: string[] = [];
  const notices: string[] = [];
  if (palace !== undefined) {
    const read = await palace.read();
    if (read.result !== undefined) return withSkipNotice(read, read.result.goals, notices, palace.flag);
    errors.push(unreadable(read));
    if (root === undefined) return { errors };
    notices.push(`${unreadable(read)}; showing goals.json instead, which may lag behind the palace`);
  }
  const cache = await readCacheSource(root as string);
  if (cache.result !== undefined) return withSkipNotice(cache, cache.result.goals, notices, `--root ${root}`);
  errors.push(unreadable(cache));
  return { errors };
}

function withSkipNotice(source: SourceReading, goals: Goal[], notices: string[], flag: string): GoalsRead {
  const skipped = source.result?.skipped.length ?? 0;
  if (skipped > 0) {
    const entries = skipped === 1 ? "1 entry" : `${skipped} entries`;
    notices.push(`${entries} of ${source.name} ${source.path} could not be read and ${skipped === 1 ? "was" : "were"} skipped; goal-store check ${flag} explains why`);
  }
  return { goals, source, notices };
}
