import {
  ModelError,
  type AssistantBlock,
  type Message,
  type ModelClient,
  type ModelRequest,
  type ModelResponse,
  type StopReason,
} from '../../src/model/model-client.js';

export type Step =
  { content: AssistantBlock[]; stopReason?: StopReason } | { error: ModelError } | { hang: true };

/**
 * A ModelClient fake that answers from a script and records a deep copy of every request.
 * It is the loop's port, so the loop can be tested without HTTP; the real adapter is tested
 * against the Messages API emulator.
 */
export class ScriptedModel implements ModelClient {
  readonly model = 'claude-sonnet-5-5';
  readonly requests: (Omit<ModelRequest, 'signal' | 'messages'> & { messages: Message[] })[] = [];
  constructor(private readonly steps: Step[]) {}

  async complete(req: ModelRequest): Promise<ModelResponse> {
    this.requests.push({
      system: req.system,
      tools: req.tools,
      allowTools: req.allowTools,
      messages: structuredClone(req.messages),
    });
    const step = this.steps.shift();
    if (!step) throw new Error('ScriptedModel: script exhausted');
    if ('error' in step) throw step.error;
    if ('hang' in step) {
      return new Promise((_, reject) => {
        const fail = () => reject(new ModelError('aborted', 'aborted', undefined, false));
        if (req.signal.aborted) fail();
        req.signal.addEventListener('abort', fail, { once: true });
      });
    }
    return {
      content: step.content,
      stopReason:
        step.stopReason ?? (step.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
      usage: { inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 },
      model: this.model,
    };
  }
}

export const text = (t: string): AssistantBlock => ({ type: 'text', text: t });
let nextId = 0;
export const call = (name: string, input: unknown, id = `toolu_${++nextId}`): AssistantBlock => ({
  type: 'tool_use',
  id,
  name,
  input,
});
