import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { deadlineFor } from './agent/budget.js';
import type { EventSink } from './agent/events.js';
import { runAgent, type RunResult } from './agent/loop.js';
import { assembleSystemPrompt, loadPromptContext } from './agent/prompt.js';
import { JobManager } from './background/job-manager.js';
import { createAnthropicModel } from './model/anthropic.js';
import { costOf } from './model/pricing.js';
import { openJsonTaskStore } from './tasks/json-task-store.js';
import { seedTasks } from './tasks/seed.js';
import type { Task } from './tasks/task.js';
import { createTools } from './tools/index.js';
import { scrubEnv } from './workspace/child-env.js';
import { Workspace } from './workspace/workspace.js';

/** The name the agent claims tasks under. */
export const AGENT_NAME = 'taskpilot';

export interface EngineOptions {
  /** The workspace: every tool works inside it. */
  cwd: string;
  /** The first user message: the request and its context. */
  prompt: string;
  apiKey: string;
  baseURL?: string | undefined;
  model: string;
  fallbackModel?: string | undefined;
  maxTokens: number;
  budget: { maxTurns: number; limitMinutes: number; maxCostUsd?: number | undefined; startedAt: number };
  commandTimeoutSeconds: number;
  backgroundTimeoutMinutes: number;
  maxBackgroundJobs: number;
  /** Workspace-relative. */
  tasksDir: string;
  /** Workspace-relative. */
  memoryFile: string;
  /** A board from an earlier run, written into the tasks directory when it has no tasks yet. */
  restoreTasks?: readonly Task[] | undefined;
  /** Keep the tasks directory out of commits through .git/info/exclude. Default true. */
  excludeTasksFromGit?: boolean | undefined;
  /** The process environment; tools get a scrubbed copy (no tokens, keys or secrets). */
  env: Readonly<Record<string, string | undefined>>;
  /** Where background job logs go. Default: the OS temp dir. */
  logDir?: string | undefined;
  emit: EventSink;
  signal: AbortSignal;
  onBug: (error: unknown) => void;
}

/**
 * The engine shared by the CLI and the Action: builds the workspace guard, model client,
 * tools, task board and job manager, assembles the system prompt, and runs the loop.
 * Throws only for setup failures (a missing key, a workspace that is not a directory, a tasks
 * directory outside the workspace); everything after that ends in a RunResult.
 */
export interface EngineResult extends RunResult {
  /** The board as the run left it (for the next run to resume from). */
  tasks: Task[];
}

export async function runEngine(o: EngineOptions): Promise<EngineResult> {
  const workspace = await Workspace.open(o.cwd);
  const model = createAnthropicModel({
    apiKey: o.apiKey,
    baseURL: o.baseURL,
    model: o.model,
    fallbackModel: o.fallbackModel,
    maxTokens: o.maxTokens,
    onEvent: o.emit,
  });
  const env = scrubEnv(o.env);
  const tasksDir = await workspace.resolve(o.tasksDir);
  if (o.restoreTasks) seedTasks(tasksDir, o.restoreTasks);
  const tasks = openJsonTaskStore({
    dir: tasksDir,
    workspaceRoot: workspace.root,
    gitExclude: o.excludeTasksFromGit ?? true,
  });
  const jobs = new JobManager({
    cwd: workspace.root,
    env,
    logDir: o.logDir ?? tmpdir(),
    timeoutMs: o.backgroundTimeoutMinutes * 60_000,
    maxConcurrent: o.maxBackgroundJobs,
    emit: o.emit,
  });
  const tools = createTools({
    workspace,
    env,
    commandTimeoutSeconds: o.commandTimeoutSeconds,
    jobs,
    tasks: { store: tasks, emit: o.emit, owner: AGENT_NAME },
  });
  const [context, facts] = await Promise.all([
    loadPromptContext((p) => workspace.resolve(p), o.memoryFile),
    workspaceFacts(workspace.root),
  ]);
  const system = assembleSystemPrompt({
    toolNames: tools.map((t) => t.name),
    workspaceRoot: workspace.root,
    workspaceFacts: facts,
    ...context,
  });
  const result = await runAgent({
    prompt: o.prompt,
    system,
    model,
    tools,
    jobs,
    emit: o.emit,
    signal: o.signal,
    budget: {
      maxTurns: o.budget.maxTurns,
      deadlineAt: deadlineFor(o.budget.startedAt, o.budget.limitMinutes),
      maxCostUsd: o.budget.maxCostUsd,
    },
    costOf,
    onBug: o.onBug,
  });
  const board = await tasks.list().catch((e: unknown) => {
    o.onBug(e);
    return undefined;
  });
  return { ...result, tasks: board?.tasks ?? [] };
}

/** Top-level entries of the workspace, for orientation. Stable within a run, so cacheable. */
async function workspaceFacts(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const names = entries
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .filter((n) => n !== '.git/')
    .sort();
  const shown = names.slice(0, 60);
  const more = names.length > shown.length ? ` (+${names.length - shown.length} more)` : '';
  return [
    `Git repository: ${entries.some((e) => e.name === '.git') ? 'yes' : 'no'}`,
    `Top-level entries: ${shown.join(', ') || '(empty)'}${more}`,
  ];
}
