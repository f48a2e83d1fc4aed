import { mkdir, mkdtemp, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/tools/tool.js';
import { createWriteFileTool } from '../../src/tools/write-file.js';
import { Workspace } from '../../src/workspace/workspace.js';

let base: string;
let root: string;
let ws: Workspace;

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'taskpilot-write-')));
  root = join(base, 'repo');
  await mkdir(join(base, 'outside'), { recursive: true });
  await mkdir(root);
  await symlink('../outside', join(root, 'out-link'));
  ws = await Workspace.open(root);
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function write(input: Record<string, unknown>): Promise<string> {
  const tool = createWriteFileTool({ workspace: ws });
  const out = await tool.execute(tool.schema.parse(input), {
    signal: new AbortController().signal,
    toolUseId: 't',
  });
  return typeof out === 'string' ? out : out.content;
}

describe('write_file', () => {
  it('creates a file and its parent directories', async () => {
    expect(await write({ path: 'src/deep/new.ts', content: 'export {};\nconst x = "é";\n' })).toBe(
      'Created src/deep/new.ts (27 bytes, 2 lines).',
    );
    expect(await readFile(join(root, 'src', 'deep', 'new.ts'), 'utf8')).toBe('export {};\nconst x = "é";\n');
  });

  it('says when it overwrote an existing file', async () => {
    await write({ path: 'notes.md', content: 'first' });
    expect(await write({ path: 'notes.md', content: 'second' })).toBe(
      'Overwrote notes.md (6 bytes, 1 line).',
    );
    expect(await readFile(join(root, 'notes.md'), 'utf8')).toBe('second');
  });

  it('writes an empty file', async () => {
    expect(await write({ path: 'empty', content: '' })).toBe('Created empty (0 bytes, 0 lines).');
  });

  it('refuses paths outside the workspace and writes nothing there', async () => {
    await expect(write({ path: 'out-link/evil.sh', content: 'x' })).rejects.toThrow(ToolError);
    await expect(write({ path: '../outside/evil2.sh', content: 'x' })).rejects.toThrow(
      /outside the workspace/,
    );
    await expect(write({ path: 'a/../../outside/evil3.sh', content: 'x' })).rejects.toThrow(
      /outside the workspace/,
    );
    expect(existsSync(join(base, 'outside', 'evil.sh'))).toBe(false);
    expect(existsSync(join(root, 'a'))).toBe(false);
  });

  it('refuses to replace a directory', async () => {
    await mkdir(join(root, 'dir'));
    await expect(write({ path: 'dir', content: 'x' })).rejects.toThrow(/dir is a directory/);
  });
});
