import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { settings } from '../../src/config';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('every setting the server reads', () => {
  const names = Object.keys(settings);
  const defaults = z.object(settings).parse({}) as Record<string, unknown>;

  it('is in .env.example once, with its default (empty when unset by default)', () => {
    const listed = new Map<string, string[]>();
    for (const match of read('.env.example').matchAll(/^#? ?([A-Z][A-Z0-9_]*)=(.*)$/gm)) {
      listed.set(match[1]!, [...(listed.get(match[1]!) ?? []), match[2]!]);
    }
    expect([...listed.keys()].sort()).toEqual([...names].sort());
    const shown = Object.fromEntries([...listed].map(([name, values]) => [name, values]));
    const expected = Object.fromEntries(names.map((name) => [name, [defaults[name] === undefined ? '' : String(defaults[name])]]));
    expect(shown).toEqual(expected);
  });

  it('is explained in the README', () => {
    const readme = read('README.md');
    expect(names.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
