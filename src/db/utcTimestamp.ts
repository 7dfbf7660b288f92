/**
 * PostgreSQL's text for a `timestamp` (without time zone) value, as its output function writes
 * it ("2026-11-26 10:04:05.123") or as JSON does ("2026-11-26T10:04:05.123"), read as the UTC
 * instant it holds: Prisma writes UTC into these columns and reads them back as UTC, whatever the process's
 * time zone, and so must every other reader.
 *
 * Rows carry one or more of these each, so the common shape ("2026-11-26 10:04:05" with up to six
 * fractional digits) is read digit by digit (a third of the time of building an ISO string for
 * Date's parser); anything else (years before 100, which Date.UTC would take for 19xx, years past
 * 9999, BC, infinity) goes through Date's parser, which answers Invalid Date where no instant
 * exists.
 */
export function parseUtcTimestamp(text: string): Date {
  const length = text.length;
  const year = hasCommonShape(text, length) ? digit(text, 0) * 1000 + digit(text, 1) * 100 + digit(text, 2) * 10 + digit(text, 3) : 0;
  if (year < 100) return new Date(`${text.replace(' ', 'T')}Z`);
  let milliseconds = 0;
  if (length > 20) milliseconds = digit(text, 20) * 100 + (length > 21 ? digit(text, 21) * 10 : 0) + (length > 22 ? digit(text, 22) : 0);
  return new Date(
    Date.UTC(
      year,
      digit(text, 5) * 10 + digit(text, 6) - 1,
      digit(text, 8) * 10 + digit(text, 9),
      digit(text, 11) * 10 + digit(text, 12),
      digit(text, 14) * 10 + digit(text, 15),
      digit(text, 17) * 10 + digit(text, 18),
      milliseconds,
    ),
  );
}

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const SPACE = 32;
const T = 84;
const ZERO = 48;
const NINE = 57;

/** "YYYY-MM-DD HH:MM:SS" (or with "T"), and optionally "." and 1 to 6 digits. */
function hasCommonShape(text: string, length: number): boolean {
  if (length !== 19 && (length < 21 || length > 26 || text.charCodeAt(19) !== 46)) return false;
  if (
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    (text.charCodeAt(10) !== SPACE && text.charCodeAt(10) !== T) ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  )
    return false;
  for (const position of DIGIT_POSITIONS) if (!isDigit(text.charCodeAt(position))) return false;
  for (let position = 20; position < length; position++) if (!isDigit(text.charCodeAt(position))) return false;
  return true;
}

const isDigit = (code: number) => code >= ZERO && code <= NINE;
const digit = (text: string, position: number) => text.charCodeAt(position) - ZERO;
