import type { AgentEvent, EventSink } from './agent/events.js';
import type { Usage } from './model/model-client.js';

const REASON_LABEL: Record<string, string> = {
  done: '✅ done',
  max_turns: '⌛ stopped at the turn limit',
  deadline: '⌛ stopped at the time limit',
  budget: '💸 stopped at the cost budget',
  aborted: '⏹ cancelled',
  error: '❌ failed',
};

export function formatUsage(u: Usage, costUsd: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `in ${n(u.inputTokens)} · out ${n(u.outputTokens)} · cache read ${n(u.cacheReadTokens)} · cache write ${n(u.cacheWriteTokens)} · $${costUsd.toFixed(4)}`;
}

/** A live, line-oriented terminal log of a run. Writes one line per call to `write`. */
export function terminalReporter(write: (line: string) => void): EventSink {
  let unpriced = false;
  return (e: AgentEvent) => {
    switch (e.type) {
      case 'run_start':
        write(`▶ taskpilot · ${e.model}`);
        break;
      case 'turn_start':
        write(`── turn ${e.turn}`);
        break;
      case 'assistant_text':
        write(`  💬 ${firstLine(e.text)}`);
        break;
      case 'tool_start':
        write(`  → ${e.name} ${e.preview}`);
        break;
      case 'tool_end':
        write(
          `  ${e.isError ? '✗' : '✓'} ${e.name} (${e.durationMs} ms)${e.isError ? `: ${e.preview}` : ''}`,
        );
        break;
      case 'turn_end':
        if (!e.priced) unpriced = true;
        write(`  tokens: ${formatUsage(e.usage, e.costUsd)}${e.priced ? '' : ' (unknown price)'}`);
        break;
      case 'notice':
        write(`  ${e.level === 'info' ? 'ℹ' : e.level === 'warning' ? '⚠' : '✗'} ${e.message}`);
        break;
      case 'model_fallback':
        write(`  ⚠ switched model ${e.from} → ${e.to}: ${e.reason}`);
        break;
      case 'task':
        write(`  ☐ task ${e.task.id} ${e.action}: ${e.task.subject}`);
        break;
      case 'job':
        write(`  ⚙ job ${e.job.id} ${e.action === 'ended' ? e.job.status : e.action}: ${e.job.command}`);
        break;
      case 'run_end':
        write(
          `■ ${REASON_LABEL[e.reason] ?? e.reason} · ${e.turns} turns · ${(e.durationMs / 1000).toFixed(1)} s`,
        );
        write(
          `  total: ${formatUsage(e.usage, e.costUsd)}${unpriced ? ' (unknown price: cost counts 0)' : ''}`,
        );
        if (e.error) write(`  error: ${e.error}`);
        if (e.summary) write(`\n${e.summary}`);
        break;
    }
  };
}

function firstLine(text: string): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}
