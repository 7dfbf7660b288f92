import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from '../../../errors';

// ISO 8601 with an explicit zone: a zone-less time would be read in the server's zone.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && ISO_8601.test(value) ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new BadUserInputError(`DateTime must be an ISO 8601 string with a time zone, e.g. "2026-01-31T09:30:00Z"; got ${JSON.stringify(value)}.`);
  }
  return date;
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
