import { rmSync } from 'node:fs';
import type { AgentEvent } from '../src/agent/events.js';
import { runAgent } from '../src/agent/loop.js';
import { assembleSystemPrompt } from '../src/agent/prompt.js';
import { createAnthropicModel } from '../src/model/anthropic.js';
import { createTools } from '../src/tools/index.js';
import { Workspace } from '../src/workspace/workspace.js';
import {
  EMULATOR_API_KEY,
  startAnthropicEmulator,
  text,
  thinking,
  toolUse,
} from '../test/support/anthropic-emulator.js';
import { cachingRows } from './caching.js';
import { startHttpTimeline } from './http-timeline.js';
import { createBenchRepo } from './repo-fixture.js';
import { check, info, type BenchRow } from './rows.js';

export interface ToolOverheadOptions {
  /** Turns of `callsPerTurn` read_file calls each. Default 20. */
  turns?: number;
  /** Default 10. */
  callsPerTurn?: number;
}

const TARGET_MS = 5;
/** Lines per read: ~2.5 KB, a typical window of a source file. */
const READ_LIMIT = 40;

/**
 * Overhead per tool call: runAgent in this process with the real Anthropic adapter (SDK,
 * streaming, cache_control) and the real tools over a bench repository, against the Messages
 * API emulator, scripted to ask for `turns` × `callsPerTurn` read_file calls (each turn's
 * calls in one response, as parallel tool calls), then to end.
 *
 * The emulator runs in this process too, so its own time is measured and taken out: every
 * request it serves is timed from its arrival to the end of its response (Node's http.server
 * diagnostics channels), and the sum is subtracted from the run's wall time. What is left is
 * the product's time: the loop, tool dispatch and validation, read_file itself, building and
 * serializing the growing request, and the SDK's streaming parse. Divided by the calls.
 */
export async function benchToolOverhead(options: ToolOverheadOptions = {}): Promise<BenchRow[]> {
  const turns = options.turns ?? 20;
  const perTurn = options.callsPerTurn ?? 10;
  const calls = turns * perTurn;
  const repo = createBenchRepo();
  const api = await startAnthropicEmulator({ minCacheTokens: 1024 });
  const timeline = startHttpTimeline();
  try {
    for (let t = 0; t < turns; t++) {
      const reads = Array.from({ length: perTurn }, (_, i) => {
        const file = repo.files[(t * perTurn + i) % repo.files.length] ?? 'README.md';
        const offset = 1 + ((t * 7 + i * 13) % 20);
        return toolUse('read_file', { path: file, offset, limit: READ_LIMIT });
      });
      api.script([thinking(`Reading batch ${t + 1}.`), ...reads]);
    }
    api.script([thinking('Done reading.'), text('Read everything I needed.')]);

    const workspace = await Workspace.open(repo.root);
    const tools = createTools({ workspace, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
    const model = createAnthropicModel({
      apiKey: EMULATOR_API_KEY,
      baseURL: api.url,
      model: 'claude-sonnet-5-5',
      maxTokens: 16_000,
    });
    const system = assembleSystemPrompt({
      toolNames: tools.map((t) => t.name),
      workspaceRoot: repo.root,
      workspaceFacts: ['Git repository: no', 'Top-level entries: README.md, package.json, scripts/, src/'],
      instructions: [],
    });
    let toolMs = 0;
    let errors = 0;
    const emit = (e: AgentEvent): void => {
      if (e.type !== 'tool_end') return;
      toolMs += e.durationMs;
      if (e.isError) errors++;
    };
    timeline.clear();
    const started = performance.now();
    const result = await runAgent({
      prompt: 'Read the parsers and tell me how they differ.',
      system,
      model,
      tools,
      emit,
      budget: { maxTurns: turns + 5 },
      costOf: () => ({ usd: 0, priced: true }),
      onBug: (e) => {
        throw e;
      },
    });
    const wall = performance.now() - started;
    if (result.reason !== 'done' || result.turns !== turns + 1)
      throw new Error(
        `tool overhead: the run ended ${result.reason} after ${result.turns} turns: ${result.error ?? ''}`,
      );
    if (errors > 0) throw new Error(`tool overhead: ${errors} read_file calls failed`);
    const spans = timeline.spans(api.url);
    const emulatorMs = spans.reduce((sum, s) => sum + (s.finish - s.start), 0);
    const perCall = (wall - emulatorMs) / calls;
    return [
      check(`(wall − emulator) / ${calls} read_file calls`, perCall, 'ms', TARGET_MS, { digits: 2 }),
      info(`  wall time, ${turns + 1} turns`, wall, 'ms', 0),
      info(`  inside the emulator (${spans.length} requests)`, emulatorMs, 'ms', 0),
      info('  inside read_file (tool_start → tool_end), per call', toolMs / calls, 'ms', 2),
      info(
        '  request body sent on the last turn',
        Buffer.byteLength(api.requests.at(-1)?.rawBody ?? '') / 1024,
        'KB',
        0,
      ),
      // Each turn adds 2 × callsPerTurn + 1 blocks: see the caching note in the report.
      ...cachingRows(api.totals, `${perTurn} tool calls per turn`, false).slice(0, 1),
    ];
  } finally {
    timeline.dispose();
    await api.close();
    rmSync(repo.root, { recursive: true, force: true });
  }
}
