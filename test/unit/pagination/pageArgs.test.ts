import { encodeCursor } from '../../../src/pagination/cursor';
import { parsePageArgs } from '../../../src/pagination/pageArgs';

const ORDERING = 'orders:CREATED_AT:DESC';

function codeOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
}

describe('parsePageArgs', () => {
  it('defaults to the first 20 forward', () => {
    expect(parsePageArgs({}, ORDERING)).toEqual({ size: 20, direction: 'forward', cursor: null });
  });

  it('decodes an after cursor of the same ordering', () => {
    const after = encodeCursor(ORDERING, [1767225600000, 42]);
    expect(parsePageArgs({ first: 5, after }, ORDERING)).toEqual({ size: 5, direction: 'forward', cursor: [1767225600000, 42] });
  });

  it('reads last/before as a backward page', () => {
    const before = encodeCursor(ORDERING, [10, 3]);
    expect(parsePageArgs({ last: 3, before }, ORDERING)).toEqual({ size: 3, direction: 'backward', cursor: [10, 3] });
  });

  it('accepts 100 and rejects 101 with BAD_USER_INPUT naming the cap', () => {
    expect(parsePageArgs({ first: 100 }, ORDERING).size).toBe(100);
    expect(() => parsePageArgs({ first: 101 }, ORDERING)).toThrow(/maximum page size of 100/);
    expect(codeOf(() => parsePageArgs({ last: 101 }, ORDERING))).toBe('BAD_USER_INPUT');
  });

  it('rejects negative sizes and mixed directions', () => {
    expect(codeOf(() => parsePageArgs({ first: -1 }, ORDERING))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parsePageArgs({ first: 1, last: 1 }, ORDERING))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parsePageArgs({ first: 1, before: encodeCursor(ORDERING, [1, 1]) }, ORDERING))).toBe('BAD_USER_INPUT');
  });

  it('rejects garbage cursors and cursors of another ordering with BAD_USER_INPUT', () => {
    expect(codeOf(() => parsePageArgs({ after: 'not-a-cursor' }, ORDERING))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parsePageArgs({ after: Buffer.from('[1,2]').toString('base64url') }, ORDERING))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parsePageArgs({ after: encodeCursor('orders:TOTAL:ASC', [1, 1]) }, ORDERING))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parsePageArgs({ after: encodeCursor(ORDERING, [1, 1.5]) }, ORDERING))).toBe('BAD_USER_INPUT');
  });
});
