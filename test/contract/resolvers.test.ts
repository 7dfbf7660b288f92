import { resolverModules } from '../../src/modules/registry';
import { buildSchema } from '../../src/server/buildSchema';

/**
 * Every root field routes to a module's resolver: graphql-js would otherwise answer it with
 * its default resolver (a property of the root value, always null here), a silent hole in the
 * contract. A subscription field needs a `subscribe`.
 */
describe('resolver contract', () => {
  const schema = buildSchema();
  const resolved = new Map<string, Set<string>>();
  for (const module of resolverModules) {
    for (const [typeName, fields] of Object.entries(module)) {
      const names = resolved.get(typeName) ?? new Set<string>();
      for (const fieldName of Object.keys(fields as object)) names.add(fieldName);
      resolved.set(typeName, names);
    }
  }

  it.each(['Query', 'Mutation', 'Subscription'])('gives every %s field a resolver of a module', (rootName) => {
    const root = schema.getType(rootName) as import('graphql').GraphQLObjectType;
    const missing = Object.keys(root.getFields()).filter((field) => !resolved.get(rootName)?.has(field));
    expect(missing).toEqual([]);
  });

  it('gives every subscription field a subscribe function', () => {
    const subscription = schema.getSubscriptionType()!;
    const missing = Object.values(subscription.getFields())
      .filter((field) => typeof field.subscribe !== 'function')
      .map((f) => f.name);
    expect(missing).toEqual([]);
  });

  it('knows the root fields it checks (a schema without them would pass vacuously)', () => {
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(expect.arrayContaining(['orders', 'product', 'node']));
    expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(expect.arrayContaining(['placeOrder']));
  });
});
