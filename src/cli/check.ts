import { isDeepStrictEqual } from "node:util";
import { findingsFor, type Goal } from "../index.js";
import type { SourceReading } from "./source-reading.js";

/** Everything `goal-store check` found wrong, one sentence each. */
export function findProblems(sources: readonly SourceReading[]): string[] {
  const problems: string[] = [];
  for (const source of sources) {
    if (source.result === undefined) {
      problems.push(`${source.name} ${source.path} could not be read: ${source.error ?? "unknown error"}`);
      continue;
    }
    for (const skipped of source.result.skipped) {
      problems.push(`${source.name} entry ${skipped.index} is corrupt and was skipped: ${skipped.reason}`);
    }
    for (const id of source.result.withheld) {
      problems.push(`${source.name} goal ${id} was not loaded: its newest entry is unreadable, and an older one would undo it`);
    }
    // The rules the store enforces on every write, which stored data (from the Rust original) may break.
    for (const goal of source.result.goals) problems.push(...findingsFor(goal).map((found) => `${source.name} ${found.detail}`));
  }
  const [cache, palace] = [sources.find((s) => s.name === "goals.json"), sources.find((s) => s.name === "palace")];
  if (cache?.result !== undefined && palace?.result !== undefined) {
    problems.push(...differences(cache.result.goals, palace.result.goals));
  }
  return problems;
}

function differences(cached: readonly Goal[], stored: readonly Goal[]): string[] {
  const problems: string[] = [];
  const inPalace = new Map(stored.map((goal) => [goal.id, goal]));
  const inCache = new Map(cached.map((goal) => [goal.id, goal]));
  for (const [id, goal] of inPalace) {
    const mirrored = inCache.get(id);
    if (mirrored === undefined) problems.push(`goal ${id} is in the palace but not in goals.json`);
    else if (mirrored.revision !== goal.revision) {
      problems.push(`goal ${id} is at revision ${goal.revision} in the palace but ${mirrored.revision} in goals.json`);
    } else if (!isDeepStrictEqual(mirrored, goal)) {
      problems.push(`goal ${id} differs between the palace and goals.json at the same revision ${goal.revision}`);
    }
  }
  for (const id of inCache.keys()) if (!inPalace.has(id)) problems.push(`goal ${id} is in goals.json but not in the palace`);
  return problems;
}
