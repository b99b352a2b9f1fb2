// RFC 3339 as chrono writes it: `Z` or a ±hh:mm offset, 0–9 fractional digits.
// `Date.parse` alone is not used because it also accepts many non-RFC forms
// ("June 1 2026") and silently rolls invalid days over.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 timestamp to a `Date` (precision beyond milliseconds is truncated), or `undefined`. */
export function parseRfc3339(text: string): Date | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number, number, number, number, number, number,
  ];
  const millis = match[7] === undefined ? 0 : Number(match[7].padEnd(3, "0").slice(0, 3));
  const sign = match[9] === "-" ? -1 : 1;
  const offsetHours = match[8] === undefined ? Number(match[10]) : 0;
  const offsetMinutes = match[8] === undefined ? Number(match[11]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // Second 60 is a leap second; chrono can emit it, and Date rolls it into the next minute.
  if (hour > 23 || minute > 59 || second > 60 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const time = date.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return Number.isFinite(time) ? new Date(time) : undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1–12) of `year` in the proleptic Gregorian calendar; 0 for another month. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
