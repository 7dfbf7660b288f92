import { Kind } from 'graphql';
import { DateTime } from '../../../src/modules/base/resolvers/DateTime';

const RANGE = 'from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z';
const literal = (value: string) => DateTime.parseLiteral({ kind: Kind.STRING, value }, undefined);

describe('DateTime', () => {
  it.each([
    ['a UTC time', '2026-01-31T09:30:00Z', '2026-01-31T09:30:00.000Z'],
    ['an offset, read as its instant', '2026-01-31T09:30:00+02:00', '2026-01-31T07:30:00.000Z'],
    ['minutes only', '2026-01-31T09:30Z', '2026-01-31T09:30:00.000Z'],
    ['fractions of a second', '2026-01-31T09:30:00.5Z', '2026-01-31T09:30:00.500Z'],
    ['29 February of a leap year', '2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['29 February of a leap century', '2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z'],
    ['the first supported instant', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['the last supported instant', '9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('accepts %s, as a variable and as a literal', (_name, value, iso) => {
    expect((DateTime.parseValue(value) as Date).toISOString()).toBe(iso);
    expect((literal(value) as Date).toISOString()).toBe(iso);
  });

  it.each([
    ['year 0', '0000-01-01T00:00:00Z'],
    ['a five-digit year', '10000-01-01T00:00:00Z'],
    ['a signed year', '+002026-01-01T00:00:00Z'],
    ['30 February', '2026-02-30T00:00:00Z'],
    ['29 February of a common year', '2026-02-29T00:00:00Z'],
    ['29 February of a common century', '1900-02-29T00:00:00Z'],
    ['31 April', '2026-04-31T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['month 0', '2026-00-10T00:00:00Z'],
    ['day 0', '2026-01-00T00:00:00Z'],
    ['hour 24', '2026-01-01T24:00:00Z'],
    ['minute 60', '2026-01-01T23:60:00Z'],
    ['second 60', '2026-01-01T23:59:60Z'],
    ['an offset of 24 hours', '2026-01-01T10:00:00+24:00'],
    ['an offset of 60 minutes', '2026-01-01T10:00:00+05:60'],
    ['an instant before year 1', '0001-01-01T00:00:00+01:00'],
    ['an instant after year 9999', '9999-12-31T23:00:00-02:00'],
    ['no time zone', '2026-01-01T10:00:00'],
    ['no time', '2026-01-01'],
    ['a space for the T', '2026-01-01 10:00:00Z'],
  ])('refuses %s with BAD_USER_INPUT naming the supported range', (_name, value) => {
    const refusal = expect.objectContaining({
      message: `DateTime must be an ISO 8601 date and time with a time zone, ${RANGE}, e.g. "2026-01-31T09:30:00Z"; got ${JSON.stringify(value)}.`,
      extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    });
    expect(() => DateTime.parseValue(value)).toThrow(refusal);
    expect(() => literal(value)).toThrow(refusal);
  });

  it('refuses values that are not strings', () => {
    for (const value of [20260101, null, true, {}]) {
      expect(() => DateTime.parseValue(value)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    }
    expect(() => DateTime.parseLiteral({ kind: Kind.INT, value: '20260101' }, undefined)).toThrow('DateTime must be a string.');
  });

  it('serializes a Date as an ISO 8601 string in UTC', () => {
    expect(DateTime.serialize(new Date(Date.UTC(2026, 0, 31, 9, 30)))).toBe('2026-01-31T09:30:00.000Z');
  });
});
