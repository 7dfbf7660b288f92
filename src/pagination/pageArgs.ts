import { BadUserInputError } from '../errors';
import { decodeCursor, type CursorKey } from './cursor';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageArgsInput {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** A validated page request: how many rows, which way from which cursor. */
export interface PageRequest {
  size: number;
  /** forward reads in the list's order from after `cursor`; backward reads before it. */
  direction: 'forward' | 'backward';
  cursor: CursorKey | null;
}

export function parsePageArgs(args: PageArgsInput, ordering: string): PageRequest {
  // An empty cursor is what a client holds before its first page: no cursor.
  const { first, last } = args;
  const after = args.after === '' ? null : args.after;
  const before = args.before === '' ? null : args.before;
  if (first != null && last != null) {
    throw new BadUserInputError('Pass either "first" or "last", not both.', { argument: 'first' });
  }
  if (after != null && before != null) {
    throw new BadUserInputError('Pass either "after" or "before", not both.', { argument: 'after' });
  }
  if (last != null || before != null) {
    if (first != null || after != null) {
      throw new BadUserInputError('Page backward with "last"/"before" or forward with "first"/"after", not a mix.', {
        argument: 'last',
      });
    }
    return {
      size: checkSize(last ?? DEFAULT_PAGE_SIZE, 'last'),
      direction: 'backward',
      cursor: before != null ? decodeCursor(ordering, before, 'before') : null,
    };
  }
  return {
    size: checkSize(first ?? DEFAULT_PAGE_SIZE, 'first'),
    direction: 'forward',
    cursor: after != null ? decodeCursor(ordering, after, 'after') : null,
  };
}

function checkSize(size: number, argument: string): number {
  if (size < 0) throw new BadUserInputError(`Argument "${argument}" must not be negative.`, { argument });
  if (size > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`Argument "${argument}" is ${size}, above the maximum page size of ${MAX_PAGE_SIZE}; page with cursors instead.`, { argument });
  }
  return size;
}
