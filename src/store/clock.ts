import { customIssue, InvalidInputError } from "../errors.js";
import { isWritableInstant } from "../wire/timestamp-range.js";

/**
 * Reads the injected clock once. Any failure is an `INVALID_INPUT` naming the
 * clock, with what it threw as `cause`: a clock that throws, returns a
 * non-Date or an invalid Date, or an instant outside years 0000–9999 (which
 * RFC 3339, and so every reader of goals.json, cannot express). A `Date` from
 * another realm (a vm context, an iframe) is accepted: `instanceof` would refuse
 * it, `Date.prototype.getTime` reads any genuine Date.
 */
export function readClock(clock: () => Date): Date {
  let time: number;
  let value: unknown;
  try {
    value = clock();
    time = Date.prototype.getTime.call(value as Date);
  } catch (cause) {
    throw clockError("Expected the clock to return a valid Date", value, cause);
  }
  if (Number.isNaN(time)) throw clockError("Expected the clock to return a valid Date", value);
  if (!isWritableInstant(time)) {
    throw clockError("Expected the clock to return an instant within years 0000–9999", value);
  }
  return new Date(time);
}

function clockError(message: string, input: unknown, cause?: unknown): InvalidInputError {
  return new InvalidInputError("clock() result", [customIssue(["clock"], message, input)], cause);
}
