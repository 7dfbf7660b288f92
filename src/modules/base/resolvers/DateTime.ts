import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from '../../../errors';

// ISO 8601 with an explicit zone: a zone-less time would be read in the server's zone.
const ISO_8601 =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})T(?<hour>\d{2}):(?<minute>\d{2})(?::(?<second>\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](?<offsetHour>\d{2}):(?<offsetMinute>\d{2}))$/;

// PostgreSQL has no year 0 (a query with one fails), and JavaScript writes years past 9999 as
// "+010000", which is not the format this scalar reads. Checked on the instant as well as on
// the written date, since an offset can carry a date across either end.
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function parseDateTime(value: unknown): Date {
  const fields = typeof value === 'string' ? ISO_8601.exec(value)?.groups : undefined;
  const time = fields && isCalendarDateTime(fields) ? Date.parse(value as string) : NaN;
  if (!(time >= EARLIEST && time <= LATEST)) {
    throw new BadUserInputError(
      'DateTime must be an ISO 8601 date and time with a time zone, from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, ' +
        `e.g. "2026-01-31T09:30:00Z"; got ${JSON.stringify(value)}.`,
    );
  }
  return new Date(time);
}

/** JavaScript rolls 2026-02-30 over to 2 March and 24:00 to the next day: both are refused here. */
function isCalendarDateTime(fields: Record<string, string | undefined>): boolean {
  const n = (field: string) => Number(fields[field] ?? '0');
  const [year, month, day] = [n('year'), n('month'), n('day')];
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    n('hour') <= 23 &&
    n('minute') <= 59 &&
    n('second') <= 59 &&
    n('offsetHour') <= 23 &&
    n('offsetMinute') <= 59
  );
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    return parseDateTime(value).toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new BadUserInputError('DateTime must be a string.');
    return parseDateTime(ast.value);
  },
});
