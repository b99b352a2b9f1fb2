/** What a key press asks the live view to do. */
export type KeyAction = "quit" | "up" | "down" | "pageUp" | "pageDown" | "top" | "bottom" | "open" | "back";

// Longest sequences first: ESC alone means "back", ESC [ A is an arrow key.
const SEQUENCES: readonly (readonly [string, KeyAction])[] = [
  ["\x1b[5~", "pageUp"],
  ["\x1b[6~", "pageDown"],
  ["\x1b[A", "up"],
  ["\x1bOA", "up"],
  ["\x1b[B", "down"],
  ["\x1bOB", "down"],
  ["\x1b[D", "back"],
  ["\x1bOD", "back"],
  ["\x1b[C", "open"],
  ["\x1bOC", "open"],
  ["\x1b[H", "top"],
  ["\x1b[F", "bottom"],
  ["\x1b", "back"],
  ["\x03", "quit"],
  ["\x04", "quit"],
  ["q", "quit"],
  ["Q", "quit"],
  ["k", "up"],
  ["j", "down"],
  ["g", "top"],
  ["G", "bottom"],
  ["\r", "open"],
  ["\n", "open"],
  ["\x7f", "back"],
  ["\b", "back"],
  ["h", "back"],
  ["l", "open"],
];

/**
 * The actions in one chunk of raw terminal input, in order; a chunk may hold
 * several keys (typed fast, or pasted). Unknown bytes are ignored.
 */
export function parseKeys(input: string): KeyAction[] {
  const actions: KeyAction[] = [];
  let rest = input;
  while (rest.length > 0) {
    const known = SEQUENCES.find(([sequence]) => rest.startsWith(sequence));
    if (known === undefined) {
      // An unknown escape sequence is skipped whole, so its tail is not read as keys.
      // eslint-disable-next-line no-control-regex
      const unknown = /^\x1b\[[0-9;]*[~A-Za-z]/.exec(rest);
      rest = rest.slice(unknown === null ? String.fromCodePoint(rest.codePointAt(0) ?? 0).length : unknown[0].length);
      continue;
    }
    actions.push(known[1]);
    rest = rest.slice(known[0].length);
  }
  return actions;
}
