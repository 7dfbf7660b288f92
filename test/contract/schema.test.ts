import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isScalarType, isSpecifiedScalarType, isIntrospectionType } from 'graphql';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildAccessRules } from '../../src/auth/accessRules';
import { printSnapshot } from '../../src/cli/schemaSnapshot';
import { loadRegistry } from '../../src/deprecations/registry';
import { PROJECT_ROOT } from '../../src/projectRoot';
import { CHANGELOG_FILE, changelogStaleness, isShallowClone } from '../../src/schemaCheck/schemaChangelog';
import { buildSchema } from '../../src/server/buildSchema';
import { SNAPSHOT_FILE } from '../../src/server/schemaFiles';
import { describeIf } from '../helpers/conditions';

/** The SDL is the contract frontend teams read: every coordinate must say what it means. */
describe('schema contract', () => {
  const schema = buildSchema();

  it('describes every type, field, argument, input field and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || (isScalarType(type) && isSpecifiedScalarType(type))) continue;
      if (!type.description?.trim()) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description?.trim()) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) if (!arg.description?.trim()) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description?.trim()) missing.push(`${type.name}.${field.name}`);
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description?.trim()) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('lets every Node type be refetched: each implements Node with an id', () => {
    const node = schema.getType('Node');
    expect(isInterfaceType(node)).toBe(true);
    const implementations = schema
      .getPossibleTypes(node as never)
      .map((t) => t.name)
      .sort();
    expect(implementations).toEqual(['Customer', 'InventoryLevel', 'Order', 'OrderItem', 'Product', 'Warehouse']);
  });

  it('gives every field of every object type an access rule (deny by default)', () => {
    expect(() => buildAccessRules(schema)).not.toThrow();
  });
});

describe('schema snapshot', () => {
  it('is up to date: run `npm run schema:snapshot` after changing schema/', () => {
    expect(readFileSync(SNAPSHOT_FILE, 'utf8')).toBe(printSnapshot(buildSchema()));
  });
});

describeIf(!isShallowClone(PROJECT_ROOT), 'a shallow clone has no history to publish: fetch it whole (git fetch --unshallow)')('schema changelog', () => {
  it('is current: run `npm run schema:changelog` after committing a change to schema/ or its registry', () => {
    const text = existsSync(path.join(PROJECT_ROOT, CHANGELOG_FILE)) ? readFileSync(path.join(PROJECT_ROOT, CHANGELOG_FILE), 'utf8') : null;
    expect(changelogStaleness(PROJECT_ROOT, text, loadRegistry())).toBeNull();
  });
});
