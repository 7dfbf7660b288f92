import { schemaFromFiles } from '../../../src/schemaCheck/schemaSources';

describe('schemaFromFiles', () => {
  const query = { name: 'schema/base/schema.graphql', text: 'type Query {\n  order: Order\n}\n' };

  it('builds one schema from SDL files that refer to each other', () => {
    const schema = schemaFromFiles([query, { name: 'schema/orders/orders.graphql', text: 'type Order {\n  id: ID!\n}\n' }]);
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(['order']);
  });

  it('names the file, line and column of a syntax error, counted in that file', () => {
    expect(() => schemaFromFiles([query, { name: 'schema/orders/orders.graphql', text: 'type Order {\n  id: ID!\n  total(: Int\n}\n' }])).toThrow(
      new Error('schema/orders/orders.graphql:3:9: Syntax Error: Expected Name, found ":".'),
    );
    expect(() => schemaFromFiles([{ name: 'main:schema/base/schema.graphql', text: 'type Query {' }])).toThrow(
      'main:schema/base/schema.graphql:1:13: Syntax Error: Expected Name, found <EOF>.',
    );
  });

  it('names the file and line of every definition the SDL rules refuse', () => {
    expect(() => schemaFromFiles([query, { name: 'schema/orders/orders.graphql', text: 'type Order {\n  id: ID!\n  total: Money\n}\n' }])).toThrow(
      new Error('schema/orders/orders.graphql:3:10: Unknown type "Money".'),
    );
  });
});
