import { z } from 'zod';

/** What the emulator checks of a POST /v1/messages body, and how tests read it back. */

const blockSchema = z.looseObject({ type: z.string() });
const messageSchema = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(blockSchema).min(1)]),
});
export const messagesBodySchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(messageSchema).min(1),
  system: z.union([z.string(), z.array(blockSchema)]).optional(),
  tools: z.array(z.looseObject({ name: z.string().min(1) })).optional(),
  tool_choice: z.looseObject({ type: z.string() }).optional(),
  thinking: z.looseObject({ type: z.string() }).optional(),
  stream: z.boolean().optional(),
});

export type MessagesBody = z.infer<typeof messagesBodySchema>;
export type WireBlock = z.infer<typeof blockSchema>;
export type WireMessage = z.infer<typeof messageSchema>;

/** A message's content as blocks (a string is one text block). */
export const blocksOf = (message: WireMessage): WireBlock[] =>
  typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;

export interface WireToolResult {
  tool_use_id: string;
  content: unknown;
  is_error?: boolean;
}

/** The tool_result blocks of the body's last message (empty when it is not a user message). */
export function lastToolResults(body: MessagesBody): WireToolResult[] {
  const last = body.messages.at(-1);
  if (last?.role !== 'user') return [];
  return blocksOf(last)
    .filter((b) => b.type === 'tool_result')
    .map((b) => b as unknown as WireToolResult);
}

/** The text of the last user message's text blocks, joined by newlines. */
export function lastUserText(body: MessagesBody): string {
  const last = body.messages.findLast((m) => m.role === 'user');
  if (!last) return '';
  return blocksOf(last)
    .filter((b) => b.type === 'text')
    .map((b) => String(b['text']))
    .join('\n');
}

const hasCacheControl = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && (v as Record<string, unknown>)['cache_control'] != null;

/**
 * Why the real API would answer 400, or undefined when it would accept the body.
 * `signatures` maps each thinking signature the emulator issued to its thinking text.
 */
export function invalidReason(
  body: MessagesBody,
  signatures: ReadonlyMap<string, string>,
): string | undefined {
  for (const field of ['temperature', 'top_p', 'top_k']) {
    if (field in body)
      return `${field}: this model does not support sampling parameters; remove \`${field}\``;
  }
  const choice = body.tool_choice?.type;
  if (choice === 'any' || choice === 'tool') {
    return `tool_choice: forcing tool use (type "${choice}") is not supported on this model; use "auto" or "none"`;
  }
  const systemBlocks = typeof body.system === 'string' ? [] : (body.system ?? []);
  const all = [...(body.tools ?? []), ...systemBlocks, ...body.messages.flatMap(blocksOf)];
  const breakpoints = all.filter(hasCacheControl).length;
  if (breakpoints > 4) {
    return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`;
  }
  for (const [m, msg] of body.messages.entries()) {
    for (const [b, block] of blocksOf(msg).entries()) {
      const where = `messages.${m}.content.${b}`;
      if ((block.type === 'thinking' || block.type === 'redacted_thinking') && hasCacheControl(block)) {
        return `${where}.${block.type}.cache_control: cache_control cannot be set on ${block.type} blocks`;
      }
      if (block.type === 'thinking') {
        const issued = signatures.get(String(block['signature']));
        if (issued !== undefined && issued !== block['thinking']) {
          return `${where}: Invalid \`signature\` in \`thinking\` block`;
        }
      }
    }
  }
  return toolPairingProblem(body);
}

/** Each assistant tool_use must be answered by a tool_result in the very next (user) message, and vice versa. */
function toolPairingProblem(body: MessagesBody): string | undefined {
  const idsOf = (msg: WireMessage | undefined, type: 'tool_use' | 'tool_result', field: string): string[] =>
    msg === undefined
      ? []
      : blocksOf(msg)
          .filter((b) => b.type === type)
          .map((b) => String(b[field]));
  for (const [m, msg] of body.messages.entries()) {
    const next = body.messages[m + 1];
    if (msg.role === 'assistant' && next !== undefined) {
      const results = new Set(next.role === 'user' ? idsOf(next, 'tool_result', 'tool_use_id') : []);
      const missing = idsOf(msg, 'tool_use', 'id').filter((id) => !results.has(id));
      if (missing.length > 0) {
        return `messages.${m + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}`;
      }
    }
    if (msg.role === 'user') {
      const prev = body.messages[m - 1];
      const uses = new Set(prev?.role === 'assistant' ? idsOf(prev, 'tool_use', 'id') : []);
      const orphan = idsOf(msg, 'tool_result', 'tool_use_id').find((id) => !uses.has(id));
      if (orphan !== undefined) {
        return `messages.${m}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${orphan}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
  }
  return undefined;
}
