import { newDatabaseWork } from '../../../src/db/databaseWork';
import { createLoaderFactory } from '../../../src/loaders/loaderFactory';

describe('loaderFactory', () => {
  it('one: batches keys into one call and answers positionally, null for missing rows', async () => {
    const calls: number[][] = [];
    const loader = createLoaderFactory({ batch: true, work: newDatabaseWork() }).one(
      async (ids: readonly number[]) => {
        calls.push([...ids]);
        return ids
          .filter((id) => id !== 2)
          .reverse()
          .map((id) => ({ id }));
      },
      (row) => row.id,
    );
    const rows = await Promise.all([loader.load(1), loader.load(2), loader.load(3), loader.load(1)]);
    expect(rows).toEqual([{ id: 1 }, null, { id: 3 }, { id: 1 }]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('many: groups rows per key, keeping their order, with [] for keys without rows', async () => {
    const loader = createLoaderFactory({ batch: true, work: newDatabaseWork() }).many(
      async () => [
        { orderId: 7, n: 1 },
        { orderId: 5, n: 2 },
        { orderId: 7, n: 3 },
      ],
      (row) => row.orderId,
    );
    expect(await Promise.all([loader.load(5), loader.load(6), loader.load(7)])).toEqual([
      [{ orderId: 5, n: 2 }],
      [],
      [
        { orderId: 7, n: 1 },
        { orderId: 7, n: 3 },
      ],
    ]);
  });

  it('manyPerArgs: one batch per distinct argument set', async () => {
    const calls: Array<[string, number[]]> = [];
    const loaderFor = createLoaderFactory({ batch: true, work: newDatabaseWork() }).manyPerArgs(
      async (args: { size: number }, keys: readonly number[]) => {
        calls.push([String(args.size), [...keys]]);
        return [];
      },
      (row: { key: number }) => row.key,
    );
    await Promise.all([loaderFor({ size: 1 }, '1').load(1), loaderFor({ size: 1 }, '1').load(2), loaderFor({ size: 5 }, '5').load(1)]);
    expect(calls).toEqual([
      ['1', [1, 2]],
      ['5', [1]],
    ]);
  });

  it('batch off (the diagnostic setting): one call per key', async () => {
    let calls = 0;
    const loader = createLoaderFactory({ batch: false, work: newDatabaseWork() }).one(
      async (ids: readonly number[]) => {
        calls += 1;
        return ids.map((id) => ({ id }));
      },
      (row) => row.id,
    );
    await Promise.all([loader.load(1), loader.load(2), loader.load(3)]);
    expect(calls).toBe(3);
  });

  it('counts each batch as one statement with the rows it returned, for extensions.cost.database', async () => {
    const work = newDatabaseWork();
    const loader = createLoaderFactory({ batch: true, work }).many(
      async (ids: readonly number[]) => ids.flatMap((id) => [{ id }, { id }]),
      (row) => row.id,
    );
    await Promise.all([loader.load(1), loader.load(2), loader.load(3)]);
    await loader.load(4);
    expect(work).toEqual({ statements: 2, batches: 2, rows: 8, batchSizes: [3, 1], events: [] });
  });
});
