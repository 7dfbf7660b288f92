import { allocateStock } from '../../../src/modules/inventory/stockAllocation';

const level = (id: number, warehouseId: number, onHand: number, reserved = 0) => ({ id, warehouseId, onHand, reserved });

describe('allocateStock', () => {
  it('takes from the warehouse with the most available units first, and splits the rest', () => {
    expect(allocateStock([level(1, 1, 4), level(2, 2, 9, 3)], 8)).toEqual({
      allocations: [
        { inventoryLevelId: 2, warehouseId: 2, quantity: 6 },
        { inventoryLevelId: 1, warehouseId: 1, quantity: 2 },
      ],
    });
  });

  it('breaks ties by the lower warehouse id, whatever order the rows come in', () => {
    expect(allocateStock([level(7, 3, 5), level(8, 2, 5)], 5)).toEqual({ allocations: [{ inventoryLevelId: 8, warehouseId: 2, quantity: 5 }] });
  });

  it('skips fully reserved rows and says how many units are missing', () => {
    expect(allocateStock([level(1, 1, 5, 5), level(2, 2, 3, 1)], 4)).toEqual({ missing: 2, available: 2 });
    expect(allocateStock([], 1)).toEqual({ missing: 1, available: 0 });
  });
});
