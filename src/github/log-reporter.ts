import * as core from '@actions/core';
import type { AgentEvent, EventSink } from '../agent/events.js';
import { redactPatterns, type Redactor } from './redact.js';
import { formatDuration, formatTokens, formatUsd } from './render-format.js';

/** The @actions/core functions the reporter uses (injectable for tests). */
export interface ActionsLog {
  startGroup: (name: string) => void;
  endGroup: () => void;
  info: (message: string) => void;
  warning: (message: string) => void;
  error: (message: string) => void;
}

/**
 * Writes the run to the Actions log: one collapsible group per turn (opened at turn_start,
 * closed at the next turn_start or at run_end), holding the turn's usage and its tool calls; notices as annotations. Every line goes
 * through `redact` (default: the well-known token patterns; the runner also masks secrets
 * registered with setSecret).
 */
export function actionsLogReporter(sink: ActionsLog = core, redact: Redactor = redactPatterns): EventSink {
  const log: ActionsLog = {
    startGroup: (name) => sink.startGroup(redact(name)),
    endGroup: () => sink.endGroup(),
    info: (message) => sink.info(redact(message)),
    warning: (message) => sink.warning(redact(message)),
    error: (message) => sink.error(redact(message)),
  };
  let open = false;
  const close = (): void => {
    if (open) log.endGroup();
    open = false;
  };
  return (event: AgentEvent): void => {
    switch (event.type) {
      case 'run_start':
        log.info(`taskpilot: model ${event.model}`);
        break;
      case 'turn_start':
        close();
        log.startGroup(`Turn ${event.turn}`);
        open = true;
        break;
      case 'tool_start':
        log.info(`→ ${event.name} ${event.preview}`);
        break;
      case 'tool_end':
        log.info(
          `${event.isError ? '✗' : '✓'} ${event.name} (${formatDuration(event.durationMs)}) ${event.preview}`,
        );
        break;
      case 'turn_end':
        log.info(
          `turn ${event.turn}: ${formatTokens(event.usage.inputTokens + event.usage.cacheReadTokens + event.usage.cacheWriteTokens)} in ` +
            `(${formatTokens(event.usage.cacheReadTokens)} cached) / ${formatTokens(event.usage.outputTokens)} out, ` +
            `${formatUsd(event.costUsd)}, ${formatDuration(event.durationMs)}`,
        );
        break;
      case 'notice':
        if (event.level === 'error') log.error(event.message);
        else if (event.level === 'warning') log.warning(event.message);
        else log.info(event.message);
        break;
      case 'model_fallback':
        log.warning(`Switched from ${event.from} to ${event.to}: ${event.reason}`);
        break;
      case 'run_end':
        close();
        log.info(
          `taskpilot ended (${event.reason}) after ${event.turns} turns, ${formatDuration(event.durationMs)}, ${formatUsd(event.costUsd)}`,
        );
        if (event.error) log.error(event.error);
        break;
      case 'assistant_text':
        log.info(`💬 ${event.text.split('\n', 1)[0] ?? ''}`);
        break;
      case 'task':
      case 'job':
        break;
    }
  };
}
