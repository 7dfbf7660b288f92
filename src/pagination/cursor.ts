import { BadUserInputError } from '../errors';

/**
 * Opaque keyset cursors. A cursor names the ordering it belongs to (so a cursor from one
 * sort cannot be replayed against another) and carries the sort key of its row plus the
 * row's id as the tie-breaker. Clients must treat it as an opaque string.
 */
export type CursorKey = readonly [sortValue: string | number, id: number];

export function encodeCursor(ordering: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify([ordering, key[0], key[1]])).toString('base64url');
}

export function decodeCursor(ordering: string, cursor: string, argument: string): CursorKey {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor(argument);
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) throw invalidCursor(argument);
  const [cursorOrdering, sortValue, id] = decoded as unknown[];
  if (cursorOrdering !== ordering) {
    throw new BadUserInputError(
      `Argument "${argument}" is a cursor of another list or sort order; cursors are only valid with the arguments that produced them.`,
      { argument },
    );
  }
  if ((typeof sortValue !== 'string' && typeof sortValue !== 'number') || !Number.isSafeInteger(id)) {
    throw invalidCursor(argument);
  }
  return [sortValue, id as number];
}

function invalidCursor(argument: string): BadUserInputError {
  return new BadUserInputError(`Argument "${argument}" is not a valid cursor.`, { argument });
}
