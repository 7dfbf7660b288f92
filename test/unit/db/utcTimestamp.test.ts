import { parseUtcTimestamp } from '../../../src/db/utcTimestamp';

/** What Date's own parser reads from PostgreSQL's text of a timestamp, taken as UTC. */
const byDateParser = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);

describe('parseUtcTimestamp', () => {
  it.each([
    '2026-11-26 10:04:05',
    '2026-11-26 10:04:05.1',
    '2026-11-26 10:04:05.12',
    '2026-11-26 10:04:05.123',
    '2026-11-26 23:59:59.999',
    '2024-02-29 00:00:00',
    '1970-01-01 00:00:00',
    '0001-01-01 00:00:00',
    '0099-12-31 23:59:59',
    '0100-01-01 00:00:00',
    '9999-12-31 23:59:59.999',
  ])('reads %s as the UTC instant it names', (text) => {
    expect(parseUtcTimestamp(text).toISOString()).toBe(byDateParser(text).toISOString());
  });

  it('reads the JSON form (with "T") as the text form', () => {
    expect(parseUtcTimestamp('2026-11-26T10:04:05.12').toISOString()).toBe('2026-11-26T10:04:05.120Z');
    expect(parseUtcTimestamp('0044-03-15T12:00:00').toISOString()).toBe(byDateParser('0044-03-15T12:00:00').toISOString());
  });

  it('keeps the milliseconds of six fractional digits, as Date does', () => {
    expect(parseUtcTimestamp('2026-11-26 10:04:05.123456').toISOString()).toBe('2026-11-26T10:04:05.123Z');
  });

  it("reads the same instant in any of the process's time zones", () => {
    // Date.UTC and the "Z" of the fallback never consult the process's zone.
    expect(parseUtcTimestamp('2026-03-29 02:30:00').getTime()).toBe(Date.UTC(2026, 2, 29, 2, 30));
  });

  it.each(['infinity', '-infinity', '0044-03-15 12:00:00 BC', '10000-01-01 00:00:00', '2026-11-26 10:04:05.', '2026-1a-26 10:04:05'])(
    'leaves %s, which is not of the common shape, to Date',
    (text) => {
      const parsed = parseUtcTimestamp(text);
      const expected = byDateParser(text);
      expect(Number.isNaN(parsed.getTime()) ? 'Invalid Date' : parsed.toISOString()).toBe(
        Number.isNaN(expected.getTime()) ? 'Invalid Date' : expected.toISOString(),
      );
    },
  );

  it('agrees with Date on every millisecond count and time of day', () => {
    for (let i = 0; i < 2000; i++) {
      const instant = new Date(Date.UTC(1990 + (i % 60), i % 12, 1 + (i % 28), i % 24, (i * 7) % 60, (i * 13) % 60, (i * 37) % 1000));
      const text = instant
        .toISOString()
        .replace('T', ' ')
        .replace('Z', '')
        .replace(/\.?0+$/, '');
      expect(parseUtcTimestamp(text).getTime()).toBe(instant.getTime());
    }
  });
});
