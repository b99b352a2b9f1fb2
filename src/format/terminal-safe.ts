// Agents write descriptions, evidence and notes, so they are untrusted: one ESC
// reaching the terminal can set the clipboard (OSC 52), retitle the window or
// hide text. Every control character, C0 and C1, is shown as an escape instead,
// which also defuses every escape sequence since they all start with one. Bidi
// overrides and invisible separators can reorder or hide text, and a lone
// surrogate breaks some terminals, so they are shown too. ZWJ and ZWNJ stay:
// emoji sequences and several scripts need them and they cannot hide text.
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Untrusted text made safe to print on a terminal, on one line: every control
 * character (C0, DEL, C1), bidi control, invisible separator and lone surrogate
 * is shown as a visible escape (`\x1b`, `\n`, `\u202e`), so no escape sequence
 * can act on the terminal and no line break can break a layout.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, visibleEscape);
}

/**
 * Like {@link terminalSafe}, but keeps line breaks as separate lines, for views
 * that indent continuation lines (multi-line evidence in `show`).
 */
export function terminalSafeLines(text: string): string[] {
  return text.split(/\r\n|\n/).map(terminalSafe);
}

function visibleEscape(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}
