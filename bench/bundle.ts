import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../test/support/dist.js';
import { check, info, type BenchRow } from './rows.js';

const DIST = path.join(REPO_ROOT, 'dist');
const SRC = path.join(REPO_ROOT, 'src');
/** 3 MB, decimal (10⁶ bytes), the stricter reading of the target. */
const TARGET_MB = 3;

interface FileInfo {
  path: string;
  bytes: number;
  mtimeMs: number;
}

function walk(dir: string): FileInfo[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return walk(full);
    const stat = statSync(full);
    return [{ path: full, bytes: stat.size, mtimeMs: stat.mtimeMs }];
  });
}

/** Size of everything under dist/ (the committed bundle the runner downloads), in MB of 10⁶ bytes. */
export function benchBundle(): BenchRow[] {
  const files = walk(DIST);
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  const entry = files.find((f) => f.path === path.join(DIST, 'index.js'));
  const mb = (bytes: number) => bytes / 1e6;
  return [
    check(`dist/ total (${files.length} files)`, mb(total), 'MB', TARGET_MB, { digits: 2 }),
    // The other chunks load on demand (the proxied fetch, the OIDC client), not at every start.
    info('  dist/index.js, parsed at every start', mb(entry?.bytes ?? 0), 'MB', 2),
  ];
}

/**
 * A warning when a src/ file changed after dist/index.js was built: the rows that run the
 * bundle would then measure old code. Undefined when dist/ is current by that measure.
 */
export function staleDistWarning(): string | undefined {
  const entry = walk(DIST).find((f) => f.path.endsWith(`${path.sep}index.js`));
  if (!entry) return 'dist/index.js is missing: run `npm run build`.';
  const newer = walk(SRC).filter((f) => f.mtimeMs > entry.mtimeMs);
  if (newer.length === 0) return undefined;
  const names = newer.map((f) => path.relative(REPO_ROOT, f.path)).slice(0, 3);
  return `dist/ is older than ${names.join(', ')}${newer.length > 3 ? ' …' : ''}: the rows that run dist/index.js measure the last build (run \`npm run build\`).`;
}
