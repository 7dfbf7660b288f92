import { fromGlobalId, fromGlobalIdOf, toGlobalId } from '../../../src/modules/node/globalId';

describe('global ids', () => {
  it('round-trips every node type', () => {
    expect(fromGlobalId(toGlobalId('Order', 42))).toEqual({ type: 'Order', id: 42 });
    expect(fromGlobalId(toGlobalId('InventoryLevel', 2147483647))).toEqual({ type: 'InventoryLevel', id: 2147483647 });
  });

  it.each([
    ['empty', ''],
    ['not base64 of a type', 'abc'],
    ['unknown type', Buffer.from('Invoice:1').toString('base64url')],
    ['zero id', Buffer.from('Order:0').toString('base64url')],
    ['negative id', Buffer.from('Order:-1').toString('base64url')],
    ['non-canonical id', Buffer.from('Order:01').toString('base64url')],
    ['beyond int4', Buffer.from('Order:2147483648').toString('base64url')],
    ['trailing garbage', `${toGlobalId('Order', 1)}!!`],
  ])('rejects %s with BAD_USER_INPUT', (_name, id) => {
    expect(() => fromGlobalId(id)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });

  it('rejects an id of another type where one type is expected, naming both', () => {
    expect(() => fromGlobalIdOf('Order', toGlobalId('Product', 1))).toThrow('must be the ID of a Order, not of a Product');
  });
});
