import type { EventSink } from '../agent/events.js';
import type { JobManager } from '../background/job-manager.js';
import type { TaskStore } from '../tasks/task-store.js';
import type { Workspace } from '../workspace/workspace.js';
import { createBackgroundTools } from './background.js';
import { createBashTool } from './bash.js';
import { createEditFileTool } from './edit-file.js';
import { createReadFileTool } from './read-file.js';
import { createTaskTools } from './tasks.js';
import type { AnyTool } from './tool.js';
import { createWriteFileTool } from './write-file.js';

/** Everything the built-in tools need. Built by the composition root (engine.ts). */
export interface ToolDeps {
  workspace: Workspace;
  /** The environment for the agent's commands, already scrubbed (see workspace/child-env.ts). */
  env: Record<string, string>;
  /** Default timeout of a foreground bash command. Default 120. */
  commandTimeoutSeconds?: number;
  /** Background jobs; when absent, bash runs everything in the foreground and there are no job tools. */
  jobs?: JobManager | undefined;
  /** The task board; when absent, there are no task tools. */
  tasks?: { store: TaskStore; emit: EventSink; owner: string } | undefined;
}

/** The agent's tools, in the order the model sees them. Add a tool (or a family) with one line here. */
export function createTools(deps: ToolDeps): AnyTool[] {
  const { workspace, env, commandTimeoutSeconds, jobs, tasks } = deps;
  return [
    createBashTool({
      workspace,
      env,
      background: jobs,
      ...(commandTimeoutSeconds === undefined ? {} : { defaultTimeoutSeconds: commandTimeoutSeconds }),
    }),
    createReadFileTool({ workspace }),
    createWriteFileTool({ workspace }),
    createEditFileTool({ workspace }),
    ...(tasks ? createTaskTools(tasks) : []),
    ...(jobs ? createBackgroundTools({ jobs }) : []),
  ];
}
