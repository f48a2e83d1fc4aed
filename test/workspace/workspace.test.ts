import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
  chmod,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/tools/tool.js';
import { Workspace } from '../../src/workspace/workspace.js';

let base: string;
let root: string;
let ws: Workspace;

// base/outside/secret.txt, base/outside/dir/, base/ws (the root) with src/a.ts and symlinks.
beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'taskpilot-ws-')));
  root = join(base, 'ws');
  await mkdir(join(base, 'outside', 'dir'), { recursive: true });
  await writeFile(join(base, 'outside', 'secret.txt'), 'outside secret\n');
  await mkdir(join(root, 'src'), { recursive: true });
  await writeFile(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  await writeFile(join(root, 'secret.txt'), 'inside decoy\n');
  await symlink('../outside/secret.txt', join(root, 'link-file'));
  await symlink(join(base, 'outside', 'dir'), join(root, 'link-dir'));
  await symlink('src', join(root, 'inner-link'));
  await symlink('../outside/not-yet.txt', join(root, 'dangling'));
  await symlink('loop-b', join(root, 'loop-a'));
  await symlink('loop-a', join(root, 'loop-b'));
  await symlink(root, join(base, 'root-link'));
  ws = await Workspace.open(root);
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function refused(path: string): Promise<string> {
  const err = await ws.resolve(path).then(
    (p) => {
      throw new Error(`"${path}" was accepted as ${p}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return (err as ToolError).message;
}

describe('Workspace.open', () => {
  it('realpaths the root', async () => {
    const opened = await Workspace.open(join(base, 'root-link'));
    expect(opened.root).toBe(root);
  });

  it('refuses a file or a missing path as root', async () => {
    await expect(Workspace.open(join(root, 'src', 'a.ts'))).rejects.toThrow(/not a directory/);
    await expect(Workspace.open(join(base, 'missing'))).rejects.toThrow();
  });
});

describe('Workspace.resolve', () => {
  it('resolves relative paths against the root, for existing and new files', async () => {
    expect(await ws.resolve('src/a.ts')).toBe(join(root, 'src', 'a.ts'));
    expect(await ws.resolve('./src//a.ts')).toBe(join(root, 'src', 'a.ts'));
    expect(await ws.resolve('new/dir/file.ts')).toBe(join(root, 'new', 'dir', 'file.ts'));
    expect(await ws.resolve('.')).toBe(root);
  });

  it('accepts an absolute path inside the workspace', async () => {
    expect(await ws.resolve(join(root, 'src', 'a.ts'))).toBe(join(root, 'src', 'a.ts'));
  });

  it('accepts an absolute path that reaches the root through a symlink', async () => {
    expect(await ws.resolve(join(base, 'root-link', 'src', 'a.ts'))).toBe(join(root, 'src', 'a.ts'));
  });

  it('follows symlinks that stay inside and returns the real path', async () => {
    expect(await ws.resolve('inner-link/a.ts')).toBe(join(root, 'src', 'a.ts'));
    expect(await ws.resolve('inner-link/new.ts')).toBe(join(root, 'src', 'new.ts'));
  });

  it('accepts .. that stays inside, even through a missing directory', async () => {
    expect(await ws.resolve('src/../src/a.ts')).toBe(join(root, 'src', 'a.ts'));
    expect(await ws.resolve('src/missing/../a.ts')).toBe(join(root, 'src', 'a.ts'));
  });

  it('refuses .. out of the root', async () => {
    expect(await refused('../outside/secret.txt')).toMatch(/outside the workspace/);
    expect(await refused('..')).toMatch(/outside the workspace/);
  });

  it('refuses .. sneaking out through new nested directories', async () => {
    await refused('a/b/../../..');
    await refused('src/new/deeper/../../../../outside/x.txt');
  });

  it('refuses absolute paths outside', async () => {
    expect(await refused('/etc/passwd')).toMatch(/outside the workspace/);
    await refused(join(base, 'outside', 'secret.txt'));
  });

  it('refuses a symlinked file that points outside', async () => {
    expect(await refused('link-file')).toContain(join(base, 'outside', 'secret.txt'));
  });

  it('refuses a new file under a symlinked directory that points outside', async () => {
    await refused('link-dir/new.txt');
    await refused('link-dir/new/deep/file.txt');
  });

  it('refuses a dangling symlink whose target would be created outside', async () => {
    await refused('dangling');
  });

  it('follows .. after a symlink as the kernel does, not lexically', async () => {
    // Lexically this is <root>/secret.txt (an inside file); the kernel reads outside/secret.txt.
    expect(await refused('link-dir/../secret.txt')).toContain(join(base, 'outside', 'secret.txt'));
  });

  it('refuses symlink loops, empty paths and NUL bytes', async () => {
    expect(await refused('loop-a')).toMatch(/symbolic links/);
    expect(await refused('')).toMatch(/empty/);
    expect(await refused('   ')).toMatch(/empty/);
    expect(await refused('src/a.ts\0.png')).toMatch(/NUL/);
  });
});

describe('Workspace.relative', () => {
  it('shows paths relative to the root, and outside paths as they are', () => {
    expect(ws.relative(join(root, 'src', 'a.ts'))).toBe('src/a.ts');
    expect(ws.relative(root)).toBe('.');
    expect(ws.relative('/etc/passwd')).toBe('/etc/passwd');
    expect(ws.relative(`${root}-sibling/x`)).toBe(`${root}-sibling/x`);
  });
});

describe('Workspace.readText', () => {
  it('reads text and refuses missing files, directories and binary files', async () => {
    expect(await ws.readText(join(root, 'src', 'a.ts'))).toBe('export const a = 1;\n');
    await expect(ws.readText(join(root, 'src', 'nope.ts'))).rejects.toThrow('File not found: src/nope.ts');
    await expect(ws.readText(join(root, 'src'))).rejects.toThrow(/src is a directory/);
    await writeFile(join(root, 'blob.bin'), Buffer.from([0x89, 0x50, 0x00, 0x01]));
    await expect(ws.readText(join(root, 'blob.bin'))).rejects.toThrow(/binary/);
  });
});

describe('Workspace.writeText', () => {
  it('creates parent directories and reports a new file', async () => {
    const abs = await ws.resolve('gen/deep/out.txt');
    expect(await ws.writeText(abs, 'héllo\n')).toEqual({ created: true, bytes: 7 });
    expect(await readFile(abs, 'utf8')).toBe('héllo\n');
  });

  it('overwrites in place, keeps the mode and leaves no temporary file', async () => {
    const abs = join(root, 'gen', 'run.sh');
    await writeFile(abs, 'old');
    await chmod(abs, 0o755);
    expect(await ws.writeText(abs, '#!/bin/sh\n')).toEqual({ created: false, bytes: 10 });
    expect(await readFile(abs, 'utf8')).toBe('#!/bin/sh\n');
    expect((await stat(abs)).mode & 0o777).toBe(0o755);
    expect((await readdir(join(root, 'gen'))).sort()).toEqual(['deep', 'run.sh']);
  });

  it('refuses to write over a directory or below a file', async () => {
    await expect(ws.writeText(join(root, 'src'), 'x')).rejects.toThrow(ToolError);
    await expect(ws.writeText(join(root, 'src', 'a.ts', 'child.ts'), 'x')).rejects.toThrow(ToolError);
  });
});
