import { readFile } from 'node:fs/promises';

/** Longest repository instruction file or memory index included in the system prompt. */
export const MAX_CONTEXT_FILE_BYTES = 20 * 1024;

/** Repository instruction files, in the order they are included. */
export const INSTRUCTION_FILES = ['AGENTS.md', 'CLAUDE.md'] as const;

export interface PromptSections {
  /** Names of the tools this run has, to tailor the guidance. */
  toolNames: readonly string[];
  workspaceRoot: string;
  /** Facts about the workspace (git branch, remote, …), one per line. Must be stable within a run. */
  workspaceFacts: readonly string[];
  instructions: readonly { file: string; text: string }[];
  memory?: { file: string; text: string } | undefined;
}

/**
 * The system prompt, in a fixed order so that its prefix stays stable for caching:
 * identity, tools, workspace, repository instructions, memory. Nothing per-request goes here:
 * the request belongs in the first user message.
 */
export function assembleSystemPrompt(s: PromptSections): string {
  const has = (name: string) => s.toolNames.includes(name);
  const sections: string[] = [
    [
      '# Identity',
      'You are taskpilot, a coding agent working in a checked-out repository, usually inside a CI job.',
      'Work autonomously: nobody answers questions during the run. Make focused, reviewable changes,',
      'verify them (build, tests) before you finish, and end with a short summary of what you did and what is left.',
    ].join('\n'),
    [
      '# Tools',
      '- Paths are relative to the workspace root; paths outside it are refused.',
      '- Read a file before editing it. Prefer edit_file (exact string replacement) over rewriting whole files.',
      '- bash runs one command with a timeout; its output is cut when very long.',
      ...(has('job_status')
        ? [
            '- Use background jobs for slow commands (installs, builds, test suites): bash with run_in_background: true.',
            '  You get a <task_notification> when a job ends; keep working meanwhile, and use job_wait only when you',
            '  have nothing else to do. Never poll with sleep.',
          ]
        : []),
      ...(has('create_task')
        ? [
            '- Plan multi-step work on the task board (create_task with blockedBy for order), claim a task before',
            '  working on it, and complete or fail it when done. Keep the board current: it is what maintainers see.',
          ]
        : []),
    ].join('\n'),
    ['# Workspace', `Root: ${s.workspaceRoot}`, ...s.workspaceFacts].join('\n'),
  ];
  for (const i of s.instructions) {
    sections.push(`# Repository instructions (${i.file})\n${i.text}`);
  }
  if (s.memory) {
    sections.push(`# Memory (${s.memory.file})\nNotes kept from earlier sessions:\n${s.memory.text}`);
  }
  return sections.join('\n\n');
}

/**
 * Resolves a workspace-relative path to an absolute one inside the workspace, following
 * symlinks; throws when it resolves outside (the workspace guard).
 */
export type PathGuard = (relative: string) => Promise<string>;

/**
 * Reads a context file through the workspace guard, cut to MAX_CONTEXT_FILE_BYTES.
 * Undefined when absent, empty, or outside the workspace (a symlinked AGENTS.md pointing
 * elsewhere must not leak a file from the runner into the prompt).
 */
export async function readContextFile(guard: PathGuard, file: string): Promise<string | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(await guard(file));
  } catch {
    return undefined;
  }
  if (buf.length === 0) return undefined;
  if (buf.length <= MAX_CONTEXT_FILE_BYTES) return buf.toString('utf8').trimEnd();
  const text = buf
    .subarray(0, MAX_CONTEXT_FILE_BYTES)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${text}\n[… cut: ${file} is ${buf.length} bytes; only the first ${MAX_CONTEXT_FILE_BYTES} are shown]`;
}

/** Loads the instruction files and the memory index of a workspace. */
export async function loadPromptContext(
  guard: PathGuard,
  memoryFile: string,
): Promise<Pick<PromptSections, 'instructions' | 'memory'>> {
  // Read side by side (they stand before the first model request), kept in INSTRUCTION_FILES order.
  const [memory, ...texts] = await Promise.all(
    [memoryFile, ...INSTRUCTION_FILES].map((file) => readContextFile(guard, file)),
  );
  const instructions = INSTRUCTION_FILES.flatMap((file, i) => {
    const text = texts[i];
    return text === undefined ? [] : [{ file, text }];
  });
  return { instructions, memory: memory === undefined ? undefined : { file: memoryFile, text: memory } };
}
