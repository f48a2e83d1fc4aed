import { z } from 'zod';
import type { Workspace } from '../workspace/workspace.js';
import { defineTool, ToolError, type Tool } from './tool.js';

/** Unchanged lines shown before and after the first replacement. */
const CONTEXT_LINES = 3;
/** The answer shows at most this many lines of context in all. */
const MAX_SNIPPET_LINES = 20;

const editInput = z.object({
  path: z.string().describe('File path, relative to the repository root.'),
  old_string: z.string().describe('The exact text to replace, including whitespace and indentation.'),
  new_string: z.string().describe('The text to put in its place.'),
  replace_all: z
    .boolean()
    .optional()
    .describe('Replace every occurrence of old_string. Default false: old_string must occur exactly once.'),
});
type EditInput = z.infer<typeof editInput>;

/**
 * edit_file: exact, literal string replacement in an existing text file (no regex, no `$`
 * patterns). Throws ToolError when old_string is empty, equal to new_string, absent, or occurs
 * more than once without replace_all; the file is then left untouched. Answers with the number
 * of replacements and numbered lines around the first one.
 */
export function createEditFileTool(deps: { workspace: Workspace }): Tool<EditInput> {
  const { workspace } = deps;
  return defineTool({
    name: 'edit_file',
    description: [
      'Replace exact text in an existing file: old_string becomes new_string.',
      '- old_string must match the file exactly, whitespace and indentation included. Copy it from read_file',
      '  output without the line-number prefix.',
      '- old_string must occur exactly once; include enough surrounding lines to make it unique, or set',
      '  replace_all to change every occurrence (for renames).',
      '- To create a file or rewrite it completely, use write_file.',
    ].join('\n'),
    input: editInput,
    preview: (input) => input.path,
    async execute(input) {
      const { old_string: oldText, new_string: newText } = input;
      if (oldText === '') {
        throw new ToolError(
          'old_string is empty. Give the exact text to replace; to create a file use write_file.',
        );
      }
      if (oldText === newText)
        throw new ToolError('old_string and new_string are identical: nothing to change.');
      const abs = await workspace.resolve(input.path);
      const shown = workspace.relative(abs);
      const content = await workspace.readText(abs);

      const at = occurrences(content, oldText);
      const first = at[0];
      if (first === undefined) throw new ToolError(notFound(content, oldText, shown));
      if (at.length > 1 && input.replace_all !== true) {
        const lines = at.slice(0, 10).map((i) => lineOf(content, i));
        throw new ToolError(
          `old_string occurs ${at.length} times in ${shown} (at lines ${lines.join(', ')}` +
            `${at.length > 10 ? ', …' : ''}). Include more surrounding lines to make it unique, ` +
            'or set replace_all: true to replace every occurrence.',
        );
      }

      const updated =
        at.length === 1
          ? content.slice(0, first) + newText + content.slice(first + oldText.length)
          : content.split(oldText).join(newText);
      await workspace.writeText(abs, updated);
      const count = at.length === 1 ? 'Replaced 1 occurrence' : `Replaced all ${at.length} occurrences`;
      return `${count} in ${shown}.\n\n${snippet(updated, first, newText.length)}`;
    },
  });
}

/** Start indices of the non-overlapping occurrences of `needle`, left to right. */
function occurrences(haystack: string, needle: string): number[] {
  const found: number[] = [];
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length))
    found.push(i);
  return found;
}

/** 1-based line number of character `index`. */
function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function notFound(content: string, oldText: string, shown: string): string {
  let message = `old_string not found in ${shown}. It must match exactly, including whitespace and indentation.`;
  if (content.includes('\r\n') && !oldText.includes('\r\n') && oldText.includes('\n')) {
    message += ' The file uses CRLF (\\r\\n) line endings.';
  } else if (content.includes(oldText.trim())) {
    message += ' The text matches when leading/trailing whitespace is ignored: check it.';
  }
  return `${message} Read the file again to copy the current text.`;
}

/** Numbered lines around the replacement that starts at `index` and is `length` long. */
function snippet(text: string, index: number, length: number): string {
  const lines = text.split('\n');
  const firstLine = lineOf(text, index);
  const lastLine = lineOf(text, index + Math.max(length - 1, 0));
  const from = Math.max(1, firstLine - CONTEXT_LINES);
  const to = Math.min(lines.length, lastLine + CONTEXT_LINES, from + MAX_SNIPPET_LINES - 1);
  const shown = lines.slice(from - 1, to).map((line, i) => `${String(from + i).padStart(6)}\t${line}`);
  return to < lastLine + CONTEXT_LINES && to < lines.length
    ? [...shown, '   …'].join('\n')
    : shown.join('\n');
}
