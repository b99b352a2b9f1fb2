import { createReadStream } from "node:fs";

// goals.json can be larger than V8's longest string (about 512 MiB on Node 20):
// the store bounds each goal, not the number of goals. So it is read as a byte
// stream and split into top-level array elements, each parsed on its own and
// handed to the caller as soon as it ends; an element larger than the caller's
// bound is skipped over without being buffered. A caller that keeps only what
// it decodes from each element (a goal, not the parsed JSON, which for nested
// arrays takes about 30 times its bytes) then needs memory for the largest
// acceptable element, not for the file.

/** An array element too large to buffer; only its size is known. */
export class OversizedElement {
  /** Its length in bytes. */
  readonly bytes: number;
  /** The largest element the reader buffers, in bytes. */
  readonly limit: number;

  /** An element of `bytes` bytes skipped because it exceeds `limit`. */
  constructor(bytes: number, limit: number) {
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** The file is not one JSON array (internal; the cache reports it as `CACHE_CORRUPT`). */
export class NotAJsonArrayError extends Error {
  /** `true` when the text is JSON but not an array. */
  readonly validJson: boolean;

  /** @param validJson whether the text parsed as some other JSON value. */
  constructor(message: string, validJson: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.validJson = validJson;
  }
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const isSpace = (byte: number) => byte === SPACE || byte === LF || byte === CR || byte === TAB;

type Where = "start" | "firstElement" | "element" | "afterElement" | "inside" | "end";

/**
 * Reads the JSON array in `path` element by element and calls `visit` with
 * each, in order, as soon as it is parsed (an element longer than
 * `maxElementBytes` as an {@link OversizedElement}, unparsed). Nothing of an
 * element is kept after `visit` returns. Elements before a syntax error have
 * been visited when it throws.
 * @throws {NotAJsonArrayError} when the file is not a JSON array.
 * @throws the file-system error (ENOENT included) when it cannot be read, or what `visit` throws.
 */
export async function forEachJsonArrayElement(path: string, maxElementBytes: number, visit: (element: unknown) => void): Promise<void> {
  // An object, not a variable: `finish` changes it, which TypeScript narrowing cannot see.
  const at: { where: Where } = { where: "start" };
  let depth = 0;
  let inString = false;
  let escaped = false;
  let scalar = false;
  let parts: Buffer[] = [];
  let size = 0;

  const finish = () => {
    let element: unknown;
    if (size > maxElementBytes) element = new OversizedElement(size, maxElementBytes);
    else {
      const text = Buffer.concat(parts, size).toString("utf8");
      try {
        element = JSON.parse(text);
      } catch (cause) {
        throw new NotAJsonArrayError("not valid JSON", false, { cause });
      }
    }
    parts = [];
    size = 0;
    at.where = "afterElement";
    visit(element);
  };
  const keep = (chunk: Buffer, from: number, to: number) => {
    size += to - from;
    if (size <= maxElementBytes) parts.push(chunk.subarray(from, to));
    else parts = [];
  };

  for await (const data of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const chunk = data as Buffer;
    let start = at.where === "inside" ? 0 : -1;
    // Where the next quote and backslash of this chunk are (chunk.length: none),
    // found by indexOf and reused until passed: most of goals.json is text
    // (evidence, notes), which is then skipped at memchr speed, not byte by byte.
    let quoteAt = -1;
    let backslashAt = -1;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (at.where === "inside") {
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) {
            inString = false;
            if (depth === 0 && !scalar) {
              keep(chunk, start, i + 1);
              finish();
            }
          } else {
            if (quoteAt <= i) quoteAt = found(chunk.indexOf(QUOTE, i), chunk.length);
            if (backslashAt <= i) backslashAt = found(chunk.indexOf(BACKSLASH, i), chunk.length);
            i = Math.min(quoteAt, backslashAt) - 1;
          }
          continue;
        }
        if (scalar) {
          if (isSpace(byte) || byte === COMMA || byte === CLOSE_BRACKET) {
            keep(chunk, start, i);
            finish();
            // Fall through: this byte belongs to what follows the element.
          } else continue;
        } else {
          if (byte === QUOTE) inString = true;
          else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
          else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
            depth--;
            if (depth === 0) {
              keep(chunk, start, i + 1);
              finish();
            }
          }
          continue;
        }
      }
      if (isSpace(byte)) continue;
      if (at.where === "start") {
        if (byte !== OPEN_BRACKET) throw notAnArray(byte);
        at.where = "firstElement";
      } else if (at.where === "afterElement") {
        if (byte === COMMA) at.where = "element";
        else if (byte === CLOSE_BRACKET) at.where = "end";
        else throw new NotAJsonArrayError("not valid JSON", false);
      } else if (at.where === "firstElement" && byte === CLOSE_BRACKET) {
        at.where = "end";
      } else if (at.where === "firstElement" || at.where === "element") {
        if (byte === CLOSE_BRACKET || byte === COMMA || byte === CLOSE_BRACE) {
          throw new NotAJsonArrayError("not valid JSON", false);
        }
        at.where = "inside";
        start = i;
        scalar = byte !== QUOTE && byte !== OPEN_BRACE && byte !== OPEN_BRACKET;
        inString = byte === QUOTE;
        depth = byte === OPEN_BRACE || byte === OPEN_BRACKET ? 1 : 0;
        escaped = false;
      } else {
        throw new NotAJsonArrayError("not valid JSON", false);
      }
    }
    if (at.where === "inside") keep(chunk, start, chunk.length);
  }
  // Truncated, or empty: both are what JSON.parse calls invalid.
  if (at.where !== "end") throw new NotAJsonArrayError("not valid JSON", false);
}

const found = (index: number, none: number) => (index < 0 ? none : index);

// A file that starts with `{`, `"`, a digit, `t`, `f` or `n` may be valid JSON
// that is simply not an array; the message says which, as the old reader did.
function notAnArray(byte: number): NotAJsonArrayError {
  const jsonStart = byte === OPEN_BRACE || byte === QUOTE || byte === 0x2d || (byte >= 0x30 && byte <= 0x39) || byte === 0x74 || byte === 0x66 || byte === 0x6e;
  return new NotAJsonArrayError(jsonStart ? "not a JSON array" : "not valid JSON", jsonStart);
}
