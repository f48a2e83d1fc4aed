import { z } from 'zod';
import type { Workspace } from '../workspace/workspace.js';
import { defineTool, type Tool } from './tool.js';

const writeInput = z.object({
  path: z.string().describe('File path, relative to the repository root.'),
  content: z.string().describe('The complete new content of the file.'),
});
type WriteInput = z.infer<typeof writeInput>;

/**
 * write_file: creates or replaces a whole file (UTF-8), creating missing parent directories.
 * The write is atomic (see Workspace.writeText). Answers with what was written and whether
 * the file was created or overwritten.
 */
export function createWriteFileTool(deps: { workspace: Workspace }): Tool<WriteInput> {
  const { workspace } = deps;
  return defineTool({
    name: 'write_file',
    description: [
      'Create a file, or replace the whole content of an existing one. Missing parent directories are created.',
      '- To change part of an existing file, use edit_file: it is safer and shorter.',
      '- Read an existing file before replacing it, so nothing is lost by accident.',
    ].join('\n'),
    input: writeInput,
    preview: (input) => input.path,
    async execute(input) {
      const abs = await workspace.resolve(input.path);
      const { created, bytes } = await workspace.writeText(abs, input.content);
      const lines = countLines(input.content);
      const verb = created ? 'Created' : 'Overwrote';
      return `${verb} ${workspace.relative(abs)} (${bytes} bytes, ${lines} line${lines === 1 ? '' : 's'}).`;
    },
  });
}

/** Lines as an editor counts them: a trailing newline does not start a new line. */
export function countLines(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}
