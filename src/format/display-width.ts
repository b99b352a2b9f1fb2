import { eastAsianWidth } from "get-east-asian-width";

// Terminals draw by grapheme (a flag, an emoji with skin tone, a letter with
// accents is one cell group), and CJK and emoji take two columns. Counting
// UTF-16 units misaligns tables and cuts surrogate pairs in half.
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]/u;
const EMOJI = /\p{Extended_Pictographic}/u;
const FLAG = /\p{Regional_Indicator}{2}/u;

/** The number of terminal columns `text` takes (text already made terminal-safe). */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const { segment } of graphemes.segment(text)) width += graphemeWidth(segment);
  return width;
}

/**
 * `text` cut to at most `width` columns on a grapheme boundary, ending in "…"
 * when something was cut; never splits a surrogate pair or a combined character.
 */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return "";
  let kept = "";
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const next = graphemeWidth(segment);
    if (used + next > width - 1) break;
    kept += segment;
    used += next;
  }
  return `${kept}…`;
}

/** `text` padded with spaces on the right to `width` columns. */
export function padEndToWidth(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

function graphemeWidth(grapheme: string): number {
  const codePoint = grapheme.codePointAt(0) ?? 0;
  if (ZERO_WIDTH.test(grapheme)) return 0;
  if (FLAG.test(grapheme)) return 2;
  // A pictograph with the emoji variation selector is drawn as a wide emoji.
  if (EMOJI.test(grapheme) && grapheme.includes("\ufe0f")) return 2;
  return eastAsianWidth(codePoint, { ambiguousAsWide: false });
}

/** `text` broken into lines of at most `width` columns, on grapheme boundaries. */
export function wrapToWidth(text: string, width: number): string[] {
  if (width <= 0 || displayWidth(text) <= width) return [text];
  const lines: string[] = [];
  let line = "";
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const next = graphemeWidth(segment);
    if (used + next > width && line !== "") {
      lines.push(line);
      [line, used] = ["", 0];
    }
    line += segment;
    used += next;
  }
  lines.push(line);
  return lines;
}
