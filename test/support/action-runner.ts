import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { DIST_ENTRY, REPO_ROOT } from './dist.js';

interface ActionYml {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
}

/** action.yml, parsed: the harness applies its defaults the way the runner does. */
export const actionYml = parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionYml;

export interface ActionRunOptions {
  eventName: string;
  payload: unknown;
  /** Kebab-case input values; unset inputs get their action.yml default. */
  inputs?: Record<string, string>;
  /** The checked-out repository (GITHUB_WORKSPACE and the step's cwd). */
  workspace: string;
  githubUrl: string;
  anthropicUrl: string;
  githubToken: string;
  anthropicKey: string;
  runId?: number;
  repository?: string;
  /** Extra environment (e.g. a secret a tool might echo). */
  env?: Record<string, string>;
  /** Saved state from an earlier step (for the post step), as GITHUB_STATE lines become STATE_*. */
  state?: Record<string, string>;
  /** Called once the process is spawned, e.g. to send it a signal. */
  onSpawn?: (child: ChildProcess) => void;
}

export interface ActionRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** The whole environment the step ran with. */
  env: Record<string, string>;
  /** performance.now() just before the process was spawned (after the event and files were written). */
  spawnedAt: number;
}

/**
 * Runs the built `dist/index.js` the way the Actions runner does: `INPUT_*` variables with the
 * action.yml defaults applied, the GITHUB_* variables and event file, and the GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY and GITHUB_STATE files, read back afterwards.
 */
export async function runAction(o: ActionRunOptions): Promise<ActionRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tp-action-'));
  const files = {
    event: path.join(dir, 'event.json'),
    output: path.join(dir, 'output'),
    summary: path.join(dir, 'summary.md'),
    state: path.join(dir, 'state'),
  };
  await writeFile(files.event, JSON.stringify(o.payload));
  await Promise.all([files.output, files.summary, files.state].map((f) => writeFile(f, '')));

  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(actionYml.inputs)) {
    const value = o.inputs?.[name] ?? (spec.default?.includes('${{') ? '' : (spec.default ?? ''));
    inputs[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  inputs['INPUT_GITHUB-TOKEN'] = o.inputs?.['github-token'] ?? o.githubToken;
  inputs['INPUT_ANTHROPIC-API-KEY'] = o.inputs?.['anthropic-api-key'] ?? o.anthropicKey;
  inputs['INPUT_ANTHROPIC-BASE-URL'] = o.inputs?.['anthropic-base-url'] ?? o.anthropicUrl;

  const state: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.state ?? {})) state[`STATE_${k}`] = v;
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: o.eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: o.repository ?? 'Codertocat/Hello-World',
    GITHUB_RUN_ID: String(o.runId ?? 4242),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: o.githubUrl,
    GITHUB_ACTOR: 'Codertocat',
    GITHUB_TRIGGERING_ACTOR: 'Codertocat',
    GITHUB_WORKFLOW: 'taskpilot',
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    RUNNER_TEMP: dir,
    ...inputs,
    ...state,
    ...o.env,
  };

  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [DIST_ENTRY], { cwd: o.workspace, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  o.onSpawn?.(child);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  return {
    code,
    signal,
    stdout,
    stderr,
    outputs: parseFileCommand(await readFile(files.output, 'utf8')),
    state: parseFileCommand(await readFile(files.state, 'utf8')),
    summary: await readFile(files.summary, 'utf8'),
    env,
    spawnedAt,
  };
}

/** Parses the `name<<DELIMITER\nvalue\nDELIMITER` format @actions/core writes to file commands. */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!m) continue;
    const [, name, delimiter] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    out[name!] = value.join('\n');
  }
  return out;
}

export const newRunId = (): number => Number.parseInt(randomUUID().replace(/-/g, '').slice(0, 8), 16);
