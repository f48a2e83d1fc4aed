/**
 * Hidden markers in taskpilot's own comments. A comment carrying any of them was written by
 * taskpilot: it never triggers a run, and is excluded from the context given to the model.
 */

const PREFIX = '<!-- taskpilot:';

/** Identifies the progress comment of one workflow run (the same on every re-run attempt). */
export function progressMarker(runId: number): string {
  return `${PREFIX}progress run=${runId} -->`;
}

/** True when the body was written by taskpilot (any run). */
export function isTaskpilotBody(body: string): boolean {
  return body.includes(PREFIX);
}

/** The run status, as the post step and later runs read it back from a comment body. */
export type MarkedStatus = 'working' | 'done' | 'failed' | 'cancelled' | 'timed_out' | 'budget';

export function statusMarker(status: MarkedStatus): string {
  return `${PREFIX}status=${status} -->`;
}

const STATUS_MARKER = /<!-- taskpilot:status=([a-z_]+) -->/;

/** The status recorded in a taskpilot comment body, or null when it has none. */
export function readStatusMarker(body: string): MarkedStatus | null {
  const value = STATUS_MARKER.exec(body)?.[1];
  switch (value) {
    case 'working':
    case 'done':
    case 'failed':
    case 'cancelled':
    case 'timed_out':
    case 'budget':
      return value;
    default:
      return null;
  }
}
