// RFC 3339 (and chrono, which the Rust original uses) has four-digit years only.
// `Date#toISOString` prints `+010000-…` or `-000001-…` outside them, which no
// reader accepts, so every instant the store writes must fall in this range.

/** 0000-01-01T00:00:00.000Z, the earliest instant a goal can carry. */
const EARLIEST_INSTANT = -62_167_219_200_000;
/** 9999-12-31T23:59:59.999Z, the latest instant a goal can carry. */
const LATEST_INSTANT = 253_402_300_799_999;

/** True when `time` (ms since the epoch) prints as a four-digit-year RFC 3339 timestamp. */
export function isWritableInstant(time: number): boolean {
  return Number.isFinite(time) && time >= EARLIEST_INSTANT && time <= LATEST_INSTANT;
}

/**
 * `time` moved into the writable range. A stored timestamp with an offset can
 * name an instant just outside it (`9999-12-31T23:30:00-01:00`); keeping it
 * would make the next write unreadable, so it is clamped (by at most a day).
 */
export function clampInstant(time: number): number {
  return Math.min(LATEST_INSTANT, Math.max(EARLIEST_INSTANT, time));
}
