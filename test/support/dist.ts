import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST_ENTRY = path.join(REPO_ROOT, 'dist/index.js');
export const CLI_BIN = path.join(REPO_ROOT, 'bin/taskpilot.js');

/** End-to-end tests run the committed bundle, as the runner does: it must have been built. */
export function requireDist(): void {
  if (!existsSync(DIST_ENTRY)) {
    throw new Error(`${DIST_ENTRY} is missing: run "npm run build" before the end-to-end tests.`);
  }
}
