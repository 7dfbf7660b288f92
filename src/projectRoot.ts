import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder holding package.json, schema/ and prisma/: found by walking up from this file,
 * so that the same code runs from src/ (tsx) and from a compiled dist/src/.
 */
export const PROJECT_ROOT = findRoot(__dirname);

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'schema'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No project root (package.json beside schema/) above ${start}`);
  }
}
