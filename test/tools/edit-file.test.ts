import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEditFileTool } from '../../src/tools/edit-file.js';
import { ToolError } from '../../src/tools/tool.js';
import { Workspace } from '../../src/workspace/workspace.js';

let root: string;
let ws: Workspace;
const file = (): string => join(root, 'a.ts');
const original = [
  'import x from "x";',
  '',
  'function one() {',
  '  return x;',
  '}',
  '',
  'function two() {',
  '  return x;',
  '}',
  '',
].join('\n');

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'taskpilot-edit-')));
  ws = await Workspace.open(root);
});
beforeEach(async () => {
  await writeFile(file(), original);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function edit(input: Record<string, unknown>): Promise<string> {
  const tool = createEditFileTool({ workspace: ws });
  const out = await tool.execute(tool.schema.parse({ path: 'a.ts', ...input }), {
    signal: new AbortController().signal,
    toolUseId: 't',
  });
  return typeof out === 'string' ? out : out.content;
}

async function refused(input: Record<string, unknown>): Promise<string> {
  const err = await edit(input).then(
    (out) => {
      throw new Error(`expected a ToolError, got: ${out}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  expect(await readFile(file(), 'utf8')).toBe(original);
  return (err as ToolError).message;
}

describe('edit_file', () => {
  it('replaces a unique string and shows numbered context', async () => {
    const out = await edit({ old_string: 'function two() {', new_string: 'function two(): number {' });
    expect(await readFile(file(), 'utf8')).toBe(
      original.replace('function two() {', 'function two(): number {'),
    );
    expect(out).toBe(
      [
        'Replaced 1 occurrence in a.ts.',
        '',
        '     4\t  return x;',
        '     5\t}',
        '     6\t',
        '     7\tfunction two(): number {',
        '     8\t  return x;',
        '     9\t}',
        '    10\t',
      ].join('\n'),
    );
  });

  it('inserts replacement text literally, $ patterns included', async () => {
    await edit({ old_string: 'import x from "x";', new_string: "const re = '$&$1$$';" });
    expect(await readFile(file(), 'utf8')).toContain("const re = '$&$1$$';\n");
  });

  it('refuses a non-unique old_string, saying where it occurs', async () => {
    expect(await refused({ old_string: '  return x;', new_string: '  return 1;' })).toBe(
      'old_string occurs 2 times in a.ts (at lines 4, 8). Include more surrounding lines to make it unique, ' +
        'or set replace_all: true to replace every occurrence.',
    );
  });

  it('replaces every occurrence with replace_all', async () => {
    const out = await edit({ old_string: 'return x;', new_string: 'return y;', replace_all: true });
    expect(out).toMatch(/^Replaced all 2 occurrences in a\.ts\./);
    expect(await readFile(file(), 'utf8')).toBe(original.replaceAll('return x;', 'return y;'));
  });

  it('refuses an absent old_string', async () => {
    expect(await refused({ old_string: 'function three() {', new_string: 'x' })).toMatch(
      /^old_string not found in a\.ts\./,
    );
  });

  it('points out whitespace and CRLF mismatches', async () => {
    expect(await refused({ old_string: 'function one() {  ', new_string: 'x' })).toMatch(
      /whitespace is ignored/,
    );
    await writeFile(file(), 'a\r\nb\r\n');
    const err = await edit({ old_string: 'a\nb', new_string: 'c' }).catch((e: unknown) => e);
    expect((err as ToolError).message).toMatch(/CRLF/);
  });

  it('refuses an empty old_string and old_string equal to new_string', async () => {
    expect(await refused({ old_string: '', new_string: 'x' })).toMatch(/old_string is empty/);
    expect(await refused({ old_string: 'return x;', new_string: 'return x;', replace_all: true })).toMatch(
      /identical/,
    );
  });

  it('refuses missing files, binary files and paths outside', async () => {
    expect(await refused({ path: 'nope.ts', old_string: 'a', new_string: 'b' })).toBe(
      'File not found: nope.ts',
    );
    await writeFile(join(root, 'bin.dat'), Buffer.from([1, 0, 2]));
    expect(await refused({ path: 'bin.dat', old_string: '\u0001', new_string: 'b' })).toMatch(/binary/);
    expect(await refused({ path: '/etc/hostname', old_string: 'a', new_string: 'b' })).toMatch(/outside/);
  });
});
