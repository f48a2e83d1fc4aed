import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EMULATOR_API_KEY,
  lastToolResults,
  startAnthropicEmulator,
  text,
  toolUse,
  type AnthropicEmulator,
} from '../support/anthropic-emulator.js';
import { CLI_BIN, requireDist } from '../support/dist.js';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: cwd, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function gitRepo(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tp-cli-e2e-'));
  await writeFile(path.join(dir, 'greet.js'), 'export const greet = (name) => `Hello, ${nam}!`;\n');
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
  return dir;
}

let api: AnthropicEmulator | undefined;
beforeAll(() => requireDist());
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('taskpilot run (the built CLI against the Messages API emulator)', () => {
  it('edits a file in a git repository and exits 0 with a usage summary', async () => {
    const repo = await gitRepo();
    api = await startAnthropicEmulator();
    api.script(
      [text('Reading the file first.'), toolUse('read_file', { path: 'greet.js' })],
      [toolUse('edit_file', { path: 'greet.js', old_string: '${nam}', new_string: '${name}' })],
      [toolUse('bash', { command: 'env; git diff --stat', run_in_background: false })],
      text('Fixed the typo in greet.js.'),
    );
    const run = await runCli(
      ['run', '--cwd', repo, '--max-turns', '10', 'fix the typo in greet.js'],
      {
        ANTHROPIC_API_KEY: EMULATOR_API_KEY,
        ANTHROPIC_BASE_URL: api.url,
        GITHUB_TOKEN: 'ghs_should_never_leak_1234567890',
      },
      repo,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await readFile(path.join(repo, 'greet.js'), 'utf8')).toContain('${name}');
    expect(run.stdout).toContain('→ edit_file greet.js');
    expect(run.stdout).toMatch(/■ ✅ done · 4 turns/);
    expect(run.stdout).toContain('Fixed the typo in greet.js.');
    expect(run.stdout).toMatch(
      /total: in [\d,]+ · out [\d,]+ · cache read [\d,]+ · cache write [\d,]+ · \$\d+\.\d{4}/,
    );

    // The bash tool's `env` ran with a scrubbed environment: no key, no token.
    const envOutput = lastToolResults(api.requests[3]!.body!)[0];
    expect(JSON.stringify(envOutput)).toContain('PATH=');
    expect(JSON.stringify(envOutput)).toContain('greet.js | 2');
    for (const secret of [EMULATOR_API_KEY, 'ghs_should_never_leak']) {
      expect(JSON.stringify(api.requests.map((r) => r.body))).not.toContain(secret);
      expect(run.stdout).not.toContain(secret);
    }
  });

  it('exits 1 when it stops at the turn limit, after a summary turn', async () => {
    const repo = await gitRepo();
    api = await startAnthropicEmulator();
    api.script([toolUse('bash', { command: 'echo one' })], text('Stopped after one step; the rest is left.'));
    const run = await runCli(
      ['run', '--cwd', repo, '--max-turns', '1', 'do many things'],
      { ANTHROPIC_API_KEY: EMULATOR_API_KEY, ANTHROPIC_BASE_URL: api.url },
      repo,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('stopped at the turn limit');
    expect(run.stdout).toContain('Stopped after one step; the rest is left.');
    expect(api.requests.at(-1)?.body?.tool_choice).toEqual({ type: 'none' });
  });

  it('fails clearly, before any request, without an API key or with a bad flag', async () => {
    const repo = await gitRepo();
    const noKey = await runCli(['run', '--cwd', repo, 'x'], {}, repo);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('ANTHROPIC_API_KEY is not set');
    const badFlag = await runCli(['run', '--max-turns', 'lots', 'x'], { ANTHROPIC_API_KEY: 'k' }, repo);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('--max-turns must be a whole number, got "lots"');
  });

  it('reports a model outage as a failure with the server message', async () => {
    const repo = await gitRepo();
    api = await startAnthropicEmulator({ apiKey: 'sk-ant-the-right-key' });
    const run = await runCli(
      ['run', '--cwd', repo, 'x'],
      { ANTHROPIC_API_KEY: 'sk-ant-a-wrong-key-123456', ANTHROPIC_BASE_URL: api.url },
      repo,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('❌ failed');
    expect(run.stdout).toMatch(/error: .*401/i);
    expect(run.stdout + run.stderr).not.toContain('sk-ant-a-wrong-key-123456');
  });
});
