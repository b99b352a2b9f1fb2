// Lone UTF-16 surrogates (an agent's output cut in the middle of an emoji) are
// legal in a JS string but not in UTF-8: JSON.stringify writes them as `\ud83d`
// escapes, which the Rust original's reader (serde_json) rejects, failing the
// whole goals.json. Every string that enters a goal, from a caller or from
// storage, goes through here, so nothing the store writes can contain one.

interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** Whether `text` has no lone surrogate. */
export function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormedString).isWellFormed();
}

/** `text` with every lone surrogate replaced by U+FFFD; the same string when it has none. */
export function wellFormed(text: string): string {
  // ES2024 methods (Node >= 20); the cast only bridges the ES2023 lib typing.
  const value = text as unknown as WellFormedString;
  return value.isWellFormed() ? text : value.toWellFormed();
}
