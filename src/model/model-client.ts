/**
 * The model port. The agent loop talks to the model only through this interface,
 * so it never imports the SDK. Block shapes mirror the Messages API wire format.
 */

export interface TextBlock {
  type: 'text';
  text: string;
}
export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}
export interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string;
  is_error?: boolean;
}
/** Returned by the 5.5 models between tool calls. Must be passed back byte for byte. */
export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}
export interface RedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

export type AssistantBlock = TextBlock | ToolUseBlock | ThinkingBlock | RedactedThinkingBlock;
export type UserBlock = TextBlock | ToolResultBlock;

export type Message =
  { role: 'assistant'; content: AssistantBlock[] } | { role: 'user'; content: UserBlock[] };

/** What the model sees of a tool: its name, description and JSON Schema input. */
export interface ToolSpec {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export const emptyUsage = (): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
});

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'refusal' | 'pause_turn';

export interface ModelRequest {
  system: string;
  tools: ToolSpec[];
  messages: Message[];
  /** When false the model may not call tools this turn (tool_choice none). Tools are still sent, for the cache. */
  allowTools: boolean;
  signal: AbortSignal;
}

export interface ModelResponse {
  content: AssistantBlock[];
  stopReason: StopReason;
  usage: Usage;
  /** The model that answered: differs from the configured one after a fallback. */
  model: string;
}

export interface ModelClient {
  /** The model requests go to now (changes after a fallback). */
  readonly model: string;
  /**
   * One model turn. Retries transient failures itself.
   * Throws ModelError for failures that retrying did not cure, and never anything else
   * for HTTP or stream failures.
   */
  complete(request: ModelRequest): Promise<ModelResponse>;
}

export type ModelErrorKind =
  | 'auth' // 401/403: fail fast
  | 'invalid_request' // 400 other than prompt_too_long: fail fast
  | 'prompt_too_long' // 400 the loop can cure by compacting
  | 'rate_limited' // 429 after retries
  | 'overloaded' // 529 after retries (and after the fallback, if any)
  | 'server' // 5xx after retries
  | 'connection' // network failure or a cut stream, after retries
  | 'aborted' // the run's signal fired
  | 'unknown';

/** A model failure, with the server's message. The message never contains the API key. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    message: string,
    readonly kind: ModelErrorKind,
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
