import type { BackgroundLauncher } from '../background/jobs-port.js';
import type { Workspace } from '../workspace/workspace.js';
import { createBashTool } from './bash.js';
import { createEditFileTool } from './edit-file.js';
import { createReadFileTool } from './read-file.js';
import type { AnyTool, Tool } from './tool.js';
import { createWriteFileTool } from './write-file.js';

/** Everything the built-in tools need. Built by the composition root (main.ts, cli.ts). */
export interface ToolDeps {
  workspace: Workspace;
  /** The environment for the agent's commands, already scrubbed (see workspace/child-env.ts). */
  env: Record<string, string>;
  /** Default timeout of a foreground bash command. Default 120. */
  commandTimeoutSeconds?: number;
  /** Background jobs; when absent, bash runs everything in the foreground and does not offer jobs. */
  background?: BackgroundLauncher | undefined;
}

/** The agent's tools, in the order the model sees them. Add a tool with one line here. */
export function createTools(deps: ToolDeps): AnyTool[] {
  const { workspace, env, commandTimeoutSeconds, background } = deps;
  return [
    erase(
      createBashTool({
        workspace,
        env,
        background,
        ...(commandTimeoutSeconds === undefined ? {} : { defaultTimeoutSeconds: commandTimeoutSeconds }),
      }),
    ),
    erase(createReadFileTool({ workspace })),
    erase(createWriteFileTool({ workspace })),
    erase(createEditFileTool({ workspace })),
  ];
}

/**
 * Forgets a tool's input type. Tool<I> is not assignable to AnyTool (Tool<never>) because its
 * schema is covariant in I; that is safe here because the loop only calls execute() with the
 * output of the tool's own schema.
 */
function erase<I>(tool: Tool<I>): AnyTool {
  return tool as unknown as AnyTool;
}
