import { encodeCursor, type CursorKey } from './cursor';
import type { PageRequest } from './pageArgs';

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

/** A page of a list, as the *Connection types return it. */
export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

/** A page whose connection type also offers `totalCount`: counted only when a query asks. */
export interface CountedConnection<T> extends Connection<T> {
  totalCount: () => Promise<number>;
}

/**
 * Builds a page from rows read with `take: size + 1` in the direction of travel: the extra
 * row only tells whether more follow. Backward pages are read in reverse and flipped here.
 */
export function buildConnection<T>(rows: T[], page: PageRequest, ordering: string, keyOf: (row: T) => CursorKey): Connection<T> {
  const hasMore = rows.length > page.size;
  const pageRows = hasMore ? rows.slice(0, page.size) : rows;
  if (page.direction === 'backward') pageRows.reverse();
  const edges = pageRows.map((node) => ({ cursor: encodeCursor(ordering, keyOf(node)), node }));
  const forward = page.direction === 'forward';
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? hasMore : page.cursor !== null,
      hasPreviousPage: forward ? page.cursor !== null : hasMore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
