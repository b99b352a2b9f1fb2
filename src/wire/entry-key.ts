import { parseRfc3339 } from "./timestamp.js";

/** What can be told about a stored entry that did not decode: whose it is and how new. */
export interface EntryKey {
  /** The goal id it names. */
  goalId: string;
  /** Its revision; `undefined` when absent or unreadable (it may be the newest). */
  revision: number | undefined;
  /** Its `updated` instant in ms; `undefined` when unreadable. */
  updated: number | undefined;
}

// Entries longer than this are not parsed just to find their id: only their
// start is searched, where the Rust original and this library both put `id`.
const PARSE_AT_MOST = 1_048_576;
const ID_AT_START = /^\s*\{\s*"id"\s*:\s*"((?:[^"\\]|\\.){1,1024})"/;

/**
 * The goal id (and, when readable, revision and `updated`) of a stored entry
 * that failed to decode, so that the loader can tell an unreadable newest
 * revision from an unreadable old one. `undefined` when no id can be found.
 */
export function peekEntryKey(entry: unknown): EntryKey | undefined {
  let value: unknown = entry;
  if (typeof entry === "string") {
    if (entry.length > PARSE_AT_MOST) return idAtStart(entry);
    try {
      value = JSON.parse(entry);
    } catch {
      return idAtStart(entry);
    }
  }
  try {
    if (typeof value !== "object" || value === null) return undefined;
    const { id, revision, updated } = value as Record<string, unknown>;
    if (typeof id !== "string" || id.length === 0) return undefined;
    return {
      goalId: id,
      // A missing revision reads as 0, as in a valid entry; a malformed one is unknown.
      revision: revision === undefined ? 0 : Number.isSafeInteger(revision) && (revision as number) >= 0 ? (revision as number) : undefined,
      updated: typeof updated === "string" ? parseRfc3339(updated)?.getTime() : undefined,
    };
  } catch {
    // A hostile object whose getters throw names no goal.
    return undefined;
  }
}

function idAtStart(text: string): EntryKey | undefined {
  const match = ID_AT_START.exec(text.slice(0, 4096));
  if (match === null) return undefined;
  let goalId: unknown;
  try {
    goalId = JSON.parse(`"${match[1] as string}"`);
  } catch {
    return undefined;
  }
  return typeof goalId === "string" && goalId.length > 0 ? { goalId, revision: undefined, updated: undefined } : undefined;
}
