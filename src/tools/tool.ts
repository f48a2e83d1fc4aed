import { z } from 'zod';
import type { ToolSpec } from '../model/model-client.js';

/**
 * A failure the model can fix (a missing file, a non-unique old_string, a path outside the
 * workspace). Its message goes back to the model as an is_error tool result.
 * Any other exception thrown by a tool is a bug: the loop reports it to the model too, and logs it.
 */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

export interface ToolContext {
  /** Fires when the run is cancelled or reaches its deadline. Tools must stop promptly. */
  signal: AbortSignal;
  toolUseId: string;
}

export interface ToolResult {
  content: string;
  isError?: boolean;
}

export interface Tool<I = unknown> {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType<I>;
  /** JSON Schema for the model, derived from `schema`. */
  readonly spec: ToolSpec;
  /** One short line for progress reporters, e.g. the command or the path. */
  preview(input: I): string;
  execute(input: I, ctx: ToolContext): Promise<string | ToolResult>;
}

/**
 * A tool with its input type forgotten, for registries. Any Tool<I> is one. Safe because the
 * loop only ever passes execute() and preview() the output of the tool's own schema.
 */
export interface AnyTool {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType<unknown>;
  readonly spec: ToolSpec;
  preview(input: never): string;
  execute(input: never, ctx: ToolContext): Promise<string | ToolResult>;
}

export function defineTool<S extends z.ZodType>(def: {
  name: string;
  description: string;
  input: S;
  preview?: (input: z.infer<S>) => string;
  execute: (input: z.infer<S>, ctx: ToolContext) => Promise<string | ToolResult>;
}): Tool<z.infer<S>> {
  const jsonSchema = z.toJSONSchema(def.input, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  delete jsonSchema['$schema'];
  return {
    name: def.name,
    description: def.description,
    schema: def.input as z.ZodType<z.infer<S>>,
    spec: { name: def.name, description: def.description, input_schema: jsonSchema },
    preview: def.preview ?? ((input) => JSON.stringify(input)),
    execute: def.execute,
  };
}
