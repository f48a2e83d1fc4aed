import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INPUT_DEFAULTS, INPUT_NAMES } from '../../src/config.js';
import { OUTPUT_NAMES } from '../../src/github/summary.js';

/** Reads the two-level `inputs:` / `outputs:` maps of action.yml (the file's own simple layout). */
function section(text: string, name: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const lines = text.split('\n');
  let inside = false;
  let current: Record<string, string> | null = null;
  for (const line of lines) {
    if (/^\S/.test(line)) {
      inside = line.startsWith(`${name}:`);
      continue;
    }
    if (!inside) continue;
    const key = /^ {2}([\w-]+):\s*$/.exec(line);
    if (key?.[1]) {
      current = {};
      out.set(key[1], current);
      continue;
    }
    const prop = /^ {4}([\w-]+):\s*(.*)$/.exec(line);
    if (prop?.[1] && current) current[prop[1]] = (prop[2] ?? '').replace(/^'(.*)'$/, '$1');
  }
  return out;
}

const text = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8');

describe('action.yml', () => {
  it('runs on node24 with a post step from the same bundle', () => {
    expect(text).toMatch(
      /^runs:\n {2}using: node24\n {2}main: dist\/index\.js\n {2}post: dist\/index\.js\n {2}post-if: always\(\)/m,
    );
    expect(text).toMatch(/^branding:\n {2}icon: \S+\n {2}color: \S+/m);
  });

  it('declares exactly the inputs config.ts reads, with the same defaults', () => {
    const inputs = section(text, 'inputs');
    expect([...inputs.keys()].sort()).toEqual([...INPUT_NAMES].sort());
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
    expect([...section(text, 'outputs').keys()].sort()).toEqual([...OUTPUT_NAMES].sort());
  });
});
