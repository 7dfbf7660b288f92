import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

const root = join(__dirname, '..', '..');
const readJson = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8'));

// `npm ci` warns (EBADENGINE) for every installed package whose `engines` excludes the running
// Node, so the promise of `engines` holds only if every locked package supports all of it.
describe('the Node versions the project states', () => {
  const supported: string = readJson('package.json').engines.node;

  it('are all supported by every package in the lockfile', () => {
    const packages: Record<string, { engines?: unknown }> = readJson('package-lock.json').packages;
    const excluding = Object.entries(packages)
      .map(([path, { engines }]) => ({
        path,
        node: engines && typeof engines === 'object' && !Array.isArray(engines) ? (engines as { node?: string }).node : undefined,
      }))
      .filter(({ node }) => node !== undefined && !semver.subset(supported, node))
      .map(({ path, node }) => `${path} wants ${node}`);
    expect(excluding).toEqual([]);
  });

  it('include the version of .nvmrc and the one running the tests', () => {
    const nvmrc = readFileSync(join(root, '.nvmrc'), 'utf8').trim();
    expect(semver.intersects(`^${nvmrc}`, supported)).toBe(true);
    expect(semver.satisfies(process.version, supported)).toBe(true);
  });
});

describe('the license', () => {
  it('is the one package.json names', () => {
    expect(readJson('package.json').license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the orders-gateway contributors\n/);
  });
});
