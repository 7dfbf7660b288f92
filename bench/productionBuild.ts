import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Compiles a checkout's src/ as production runs it (`npm run build`: tsc with
 * tsconfig.build.json, then plain `node`), into a folder of its node_modules/.cache, so that the
 * gateways measured run no TypeScript loader (tsx costs ~50 MB of resident memory and its own
 * module hooks) and a user's own dist/ is left alone. Returns the compiled src/ folder.
 */
export async function buildForProduction(root: string): Promise<string> {
  const outDir = path.join(root, 'node_modules/.cache/gateway-bench/dist');
  const tsc = path.join(root, 'node_modules/.bin/tsc');
  await promisify(execFile)(tsc, ['-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root });
  return path.join(outDir, 'src');
}
