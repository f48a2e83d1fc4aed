import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INPUT_DEFAULTS, INPUT_NAMES } from '../../src/config.js';
import { OUTPUT_NAMES } from '../../src/github/summary.js';
import { actionYml } from '../support/action-runner.js';

const text = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8');

describe('action.yml', () => {
  it('runs on node24 with a post step from the same bundle', () => {
    expect(text).toMatch(
      /^runs:\n {2}using: node24\n {2}main: dist\/index\.js\n {2}post: dist\/index\.js\n {2}post-if: always\(\)/m,
    );
    expect(text).toMatch(/^branding:\n {2}icon: \S+\n {2}color: \S+/m);
  });

  it('declares exactly the inputs config.ts reads, with the same defaults', () => {
    const inputs = Object.entries(actionYml.inputs as Record<string, Record<string, string>>);
    expect(inputs.map(([name]) => name).sort()).toEqual([...INPUT_NAMES].sort());
    for (const [name, spec] of inputs) {
      if (name === 'github-token') {
        expect(spec['default']).toBe('${{ github.token }}');
        continue;
      }
      expect({ name, default: spec['default'] }).toEqual({ name, default: INPUT_DEFAULTS[name] });
      expect(spec['description']).toBeTruthy();
    }
  });

  it('declares every output setOutputs writes', () => {
    expect(Object.keys(actionYml.outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
  });
});
