import { z } from 'zod';
import type { ToolResultBlock, ToolUseBlock } from '../model/model-client.js';
import { preview } from './events.js';
import { ToolError, type AnyTool, type Tool } from '../tools/tool.js';

/** Longest tool result sent to the model; tools cut their own output well below this. */
export const MAX_TOOL_RESULT_CHARS = 100_000;

export interface PreparedCall {
  /** One short line for reporters: the tool's own preview, or the tool name when the input is bad. */
  preview: string;
  /**
   * Runs the call and always returns its tool_result: unknown tools, inputs that fail the
   * schema, ToolErrors and unexpected exceptions all become is_error results. Never throws.
   */
  run(signal: AbortSignal): Promise<ToolResultBlock>;
}

/**
 * Looks the tool up and validates the input. `onBug` receives exceptions that are not
 * ToolErrors (they are bugs, to be logged with a stack); the model still gets an error result.
 */
export function prepareToolCall(
  tools: ReadonlyMap<string, AnyTool>,
  call: ToolUseBlock,
  onBug: (error: unknown) => void,
): PreparedCall {
  const error = (content: string): ToolResultBlock => ({
    type: 'tool_result',
    tool_use_id: call.id,
    content,
    is_error: true,
  });
  const tool = tools.get(call.name) as Tool<unknown> | undefined;
  if (!tool) {
    const message = `Unknown tool "${call.name}". Available tools: ${[...tools.keys()].join(', ')}.`;
    return { preview: call.name, run: () => Promise.resolve(error(message)) };
  }
  const parsed = tool.schema.safeParse(call.input);
  if (!parsed.success) {
    const message = `Invalid input for ${call.name}:\n${z.prettifyError(parsed.error)}`;
    return { preview: call.name, run: () => Promise.resolve(error(message)) };
  }
  const input = parsed.data;
  return {
    preview: safePreview(tool, input),
    run: async (signal) => {
      if (signal.aborted) return skippedResult(call);
      try {
        const out = await tool.execute(input, { signal, toolUseId: call.id });
        const text = typeof out === 'string' ? out : out.content;
        const isError = typeof out !== 'string' && out.isError === true;
        return {
          type: 'tool_result',
          tool_use_id: call.id,
          content: capText(text),
          ...(isError ? { is_error: true } : {}),
        };
      } catch (e) {
        if (e instanceof ToolError) return error(e.message);
        onBug(e);
        return error(`Internal error in ${call.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
}

/** The tool_result for a call that was never run because the run stopped first. */
export function skippedResult(call: ToolUseBlock): ToolResultBlock {
  return {
    type: 'tool_result',
    tool_use_id: call.id,
    content: 'Not run: the run was stopped before this tool call.',
    is_error: true,
  };
}

function safePreview(tool: Tool<unknown>, input: unknown): string {
  try {
    return preview(tool.preview(input));
  } catch {
    return tool.name;
  }
}

function capText(text: string): string {
  if (text.length <= MAX_TOOL_RESULT_CHARS) return text;
  const half = MAX_TOOL_RESULT_CHARS / 2;
  const cut = text.length - MAX_TOOL_RESULT_CHARS;
  return `${text.slice(0, half)}\n\n[… ${cut} characters cut …]\n\n${text.slice(-half)}`;
}
