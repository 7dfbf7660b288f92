import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A detached git worktree of `ref` with its dependencies installed, created on first use and
 * reused after. It lives in node_modules/.cache/gateway-bench/worktrees/<sha> of this checkout:
 * gitignored, and also skipped by tsc, ESLint, Prettier and Jest, which would otherwise check
 * a second copy of the code base (ESLint lints dot folders, and tsconfig includes bench/).
 */
export async function compareWorktree(repoRoot: string, ref: string): Promise<{ root: string; sha: string }> {
  const sha = (await run('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: repoRoot })).stdout.trim();
  const root = path.join(repoRoot, 'node_modules/.cache/gateway-bench/worktrees', sha);
  if (!existsSync(path.join(root, 'package.json'))) {
    // A worktree whose folder went away (npm ci empties node_modules) is still registered.
    await run('git', ['worktree', 'prune'], { cwd: repoRoot });
    console.log(`Creating a worktree of ${ref} (${sha.slice(0, 12)}) in ${path.relative(repoRoot, root)}...`);
    await run('git', ['worktree', 'add', '--detach', root, sha], { cwd: repoRoot });
  }
  if (!existsSync(path.join(root, 'node_modules'))) {
    console.log(`Installing its dependencies (npm ci)...`);
    await new Promise<void>((resolve, reject) => {
      const child = spawn('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm ci in ${root} failed (exit code ${code})`))));
    });
  }
  return { root, sha };
}

export async function describeCheckout(root: string): Promise<{ sha: string; dirty: boolean }> {
  const sha = (await run('git', ['rev-parse', 'HEAD'], { cwd: root })).stdout.trim();
  const status = (await run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root })).stdout.trim();
  return { sha, dirty: status.length > 0 };
}
