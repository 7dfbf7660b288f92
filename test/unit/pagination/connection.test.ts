import { buildConnection } from '../../../src/pagination/connection';
import { decodeCursor } from '../../../src/pagination/cursor';

const rows = (ids: number[]) => ids.map((id) => ({ id }));
const keyOf = (row: { id: number }) => [row.id, row.id] as const;

describe('buildConnection', () => {
  it('uses the extra row only to tell that more follow', () => {
    const page = buildConnection(rows([1, 2, 3]), { size: 2, direction: 'forward', cursor: null }, 'x', keyOf);
    expect(page.edges.map((e) => e.node.id)).toEqual([1, 2]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(decodeCursor('x', page.pageInfo.endCursor!, 'after')).toEqual([2, 2]);
  });

  it('flips a backward page into list order', () => {
    const page = buildConnection(rows([9, 8, 7]), { size: 2, direction: 'backward', cursor: [10, 10] }, 'x', keyOf);
    expect(page.edges.map((e) => e.node.id)).toEqual([8, 9]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('gives null cursors for an empty page', () => {
    const page = buildConnection([], { size: 5, direction: 'forward', cursor: null }, 'x', keyOf);
    expect(page.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  });
});
