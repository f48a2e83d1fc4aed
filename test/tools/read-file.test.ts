import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadFileTool } from '../../src/tools/read-file.js';
import { ToolError } from '../../src/tools/tool.js';
import { Workspace } from '../../src/workspace/workspace.js';

let base: string;
let root: string;
let ws: Workspace;

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'taskpilot-read-')));
  root = join(base, 'repo');
  await mkdir(join(root, 'src'), { recursive: true });
  ws = await Workspace.open(root);
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function read(input: Record<string, unknown>): Promise<string> {
  const tool = createReadFileTool({ workspace: ws });
  const out = await tool.execute(tool.schema.parse(input), {
    signal: new AbortController().signal,
    toolUseId: 't',
  });
  return typeof out === 'string' ? out : out.content;
}

async function readError(input: Record<string, unknown>): Promise<string> {
  const err = await read(input).then(
    (out) => {
      throw new Error(`expected a ToolError, got: ${out.slice(0, 200)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return (err as ToolError).message;
}

const numbered = (from: number, to: number): string =>
  Array.from({ length: to - from + 1 }, (_, i) => `${String(from + i).padStart(6)}\tline ${from + i}`).join(
    '\n',
  );

describe('read_file', () => {
  beforeAll(async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i + 1}`);
    await writeFile(join(root, 'src', 'big.txt'), `${lines.join('\n')}\n`);
    await writeFile(join(root, 'src', 'small.ts'), 'const a = 1;\r\n\tconst b = 2;\nno newline at end');
  });

  it('returns numbered lines, without CR, including a last line with no newline', async () => {
    expect(await read({ path: 'src/small.ts' })).toBe(
      '     1\tconst a = 1;\n     2\t\tconst b = 2;\n     3\tno newline at end',
    );
  });

  it('reads from offset for limit lines, and says where to continue', async () => {
    const out = await read({ path: 'src/big.txt', offset: 100, limit: 3 });
    expect(out).toBe(
      `${numbered(100, 102)}\n\n[Showing lines 100-102 of src/big.txt; the file continues. ` +
        'Call read_file with offset=103 to read more.]',
    );
  });

  it('stops at 2000 lines by default', async () => {
    const out = await read({ path: 'src/big.txt' });
    expect(out).toContain(`${numbered(1999, 2000)}\n\n[Showing lines 1-2000`);
    expect(out).toContain('offset=2001');
    expect(out).not.toContain('line 2001');
  });

  it('has no continuation note when the window reaches the end', async () => {
    expect(await read({ path: 'src/big.txt', offset: 4999 })).toBe(numbered(4999, 5000));
    expect(await read({ path: 'src/big.txt', offset: 4999, limit: 2 })).toBe(numbered(4999, 5000));
  });

  it('cuts long lines and says how much', async () => {
    await writeFile(join(root, 'long.txt'), `short\n${'x'.repeat(5000)}\nafter\n`);
    const out = await read({ path: 'long.txt' });
    expect(out).toBe(
      `     1\tshort\n     2\t${'x'.repeat(2000)}… [line cut: 3000 more characters]\n     3\tafter`,
    );
  });

  it('keeps the answer bounded when lines are long, with a continuation note', async () => {
    await writeFile(join(root, 'wide.txt'), `${'y'.repeat(3000)}\n`.repeat(100));
    const out = await read({ path: 'wide.txt' });
    expect(out.length).toBeLessThan(60_000);
    expect(out).toMatch(/Call read_file with offset=\d+ to read more\.\]$/);
  });

  it('handles multi-byte characters across chunk boundaries', async () => {
    const text = 'é'.repeat(70_000);
    await writeFile(join(root, 'accents.txt'), `${text}\nend\n`);
    const out = await read({ path: 'accents.txt' });
    expect(out).toContain(`     1\t${'é'.repeat(2000)}… [line cut: 68000 more characters]`);
    expect(out).toContain('     2\tend');
    expect(out).not.toContain('\uFFFD');
  });

  it('reports an empty file and refuses an offset past the end', async () => {
    await writeFile(join(root, 'empty.txt'), '');
    expect(await read({ path: 'empty.txt' })).toBe('empty.txt is empty.');
    expect(await readError({ path: 'src/small.ts', offset: 4 })).toBe(
      'offset 4 is past the end of src/small.ts, which has 3 line(s).',
    );
  });

  it('refuses binary files, directories, missing files and paths outside', async () => {
    await writeFile(
      join(root, 'image.png'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    );
    expect(await readError({ path: 'image.png' })).toMatch(/binary/);
    expect(await readError({ path: 'src' })).toMatch(/src is a directory.*ls/);
    expect(await readError({ path: 'src/nope.ts' })).toBe('File not found: src/nope.ts');
    execFileSync('mkfifo', [join(root, 'fifo')]);
    expect(await readError({ path: 'fifo' })).toMatch(/not a regular file/);
    await writeFile(join(base, 'secret.txt'), 'secret');
    await symlink('../secret.txt', join(root, 'leak'));
    expect(await readError({ path: 'leak' })).toMatch(/outside the workspace/);
    expect(await readError({ path: '../secret.txt' })).toMatch(/outside the workspace/);
  });

  it('rejects a zero or fractional offset and limit in its schema', () => {
    const tool = createReadFileTool({ workspace: ws });
    expect(tool.schema.safeParse({ path: 'a', offset: 0 }).success).toBe(false);
    expect(tool.schema.safeParse({ path: 'a', limit: 1.5 }).success).toBe(false);
    expect(tool.preview(tool.schema.parse({ path: 'src/a.ts' }))).toBe('src/a.ts');
  });
});
