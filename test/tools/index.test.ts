import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobManager } from '../../src/background/job-manager.js';
import { openJsonTaskStore } from '../../src/tasks/json-task-store.js';
import { createTools } from '../../src/tools/index.js';
import { Workspace } from '../../src/workspace/workspace.js';

let root: string;
let ws: Workspace;

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'taskpilot-tools-')));
  ws = await Workspace.open(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('createTools', () => {
  it('registers the four built-in tools with object JSON schemas', () => {
    const tools = createTools({ workspace: ws, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
    expect(tools.map((t) => t.name)).toEqual(['bash', 'read_file', 'write_file', 'edit_file']);
    for (const tool of tools) {
      expect(tool.spec.name).toBe(tool.name);
      expect(tool.spec.input_schema['type']).toBe('object');
      expect(tool.description.length).toBeGreaterThan(50);
    }
    expect(tools.find((t) => t.name === 'edit_file')?.spec.input_schema['required']).toEqual([
      'path',
      'old_string',
      'new_string',
    ]);
  });

  it('passes the command timeout to bash', async () => {
    const tools = createTools({
      workspace: ws,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      commandTimeoutSeconds: 0.3,
    });
    const bash = tools.find((t) => t.name === 'bash');
    expect(bash?.description).not.toContain('run_in_background');
    const input = bash?.schema.parse({ command: 'sleep 10' });
    const out = await bash?.execute(input as never, { signal: new AbortController().signal, toolUseId: 't' });
    expect(typeof out === 'object' ? out.content : out).toMatch(/Timed out after 0\.3 s/);
  });

  it('adds the task and job tools, and background jobs to bash, when they are wired', async () => {
    const jobs = new JobManager({ cwd: root, env: {}, logDir: join(root, 'logs'), emit: () => undefined });
    const store = openJsonTaskStore({ dir: join(root, '.tasks'), workspaceRoot: root });
    const tools = createTools({
      workspace: ws,
      env: {},
      jobs,
      tasks: { store, emit: () => undefined, owner: 'taskpilot' },
    });
    expect(tools.map((t) => t.name)).toEqual([
      'bash',
      'read_file',
      'write_file',
      'edit_file',
      'create_task',
      'list_tasks',
      'get_task',
      'claim_task',
      'complete_task',
      'fail_task',
      'release_task',
      'update_task',
      'job_status',
      'job_output',
      'job_wait',
      'job_kill',
    ]);
    expect(tools.find((t) => t.name === 'bash')?.description).toContain('run_in_background');
    await jobs.shutdown();
  });
});
