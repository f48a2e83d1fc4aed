import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionYml } from './support/action-runner.js';
import { REPO_ROOT } from './support/dist.js';
import { USAGE } from '../src/cli-args.js';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** The cells of the README table row that starts with `name`. */
function row(name: string): string[] | undefined {
  const line = readme.split('\n').find((l) => new RegExp(`^\\| \`${name}\` +\\|`).test(l));
  return line
    ?.split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('README stays true', () => {
  it.each(Object.entries(actionYml.inputs))('documents input %s with its default', (name, spec) => {
    const cells = row(name);
    expect(cells, `README has no row for input ${name}`).toBeDefined();
    expect(cells?.[1]).toBe(spec.default === undefined ? '–' : `\`${spec.default}\``);
  });

  it.each(Object.keys(actionYml.outputs))('documents output %s', (name) => {
    expect(row(name), `README has no row for output ${name}`).toBeDefined();
  });

  it('gives the two set-up commands, and they exist', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
    expect(pkg.scripts['demo']).toBeDefined();
    expect(pkg.scripts['test']).toBe('vitest run');
  });

  it('shows every CLI flag the CLI accepts', () => {
    for (const flag of USAGE.match(/--[a-z-]+/g) ?? []) expect(readme).toContain(flag);
  });

  it('has a security section', () => {
    expect(readme).toMatch(/^## Security$/m);
  });
});
