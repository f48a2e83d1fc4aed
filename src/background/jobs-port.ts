/**
 * What the agent loop needs from background jobs. The real implementation is
 * background/job-manager.ts; `noJobs` stands in where jobs are not wired.
 */
export interface JobsPort {
  /**
   * Takes the notifications of jobs that ended since the last call, as ready-made
   * `<task_notification>` texts, oldest first. Each is returned exactly once.
   */
  takeNotifications(): string[];
  /** True while any job is queued or running. */
  hasActive(): boolean;
  /** Resolves when the next job ends, or when `signal` fires. */
  waitForNext(signal: AbortSignal): Promise<void>;
  /** Kills every job that is still queued or running (process group), and waits for them to exit. */
  shutdown(): Promise<void>;
}

export const noJobs: JobsPort = {
  takeNotifications: () => [],
  hasActive: () => false,
  waitForNext: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * What the bash tool needs to start background jobs. Implemented by the job manager;
 * absent when background jobs are not wired (then every command runs in the foreground).
 */
export interface BackgroundLauncher {
  /**
   * Whether `command` should run in the background. `explicit` is the model's
   * `run_in_background` value: when given it always wins; when undefined a slow-command
   * heuristic decides.
   */
  shouldBackground(command: string, explicit: boolean | undefined): boolean;
  /** Starts (or queues) the job and returns the text the tool answers with at once. */
  start(command: string): string;
}
