/**
 * The restoration of the tasks of each assignment, beside the processing loop: new tasks restore their
 * stores one after the other ({@link StoreChangelogReader}) and start processing as soon as each is
 * restored; once no task of the assignment is restoring, the assignment is ready (the application
 * reports RUNNING; the first time, `start()` resolves). A revocation makes the restores in progress stop
 * at the next batch (their tasks are suspended) and waits for them; a restore finishing for an older
 * assignment reports nothing.
 */
import type { StoreChangelogReader } from './store-changelog-reader.ts';
import type { StreamTask } from './stream-task.ts';

/** What the restoration needs from the thread. */
export interface TaskRestorationHost {
  /** Whether the thread still runs. */
  isRunning(): boolean;
  /** The active tasks (restoring or running). */
  activeTasks(): readonly StreamTask[];
  /** A task finished restoring and now processes (wake the loop). */
  onTaskRestored(task: StreamTask): void;
  /** Every task of the current assignment is restored. */
  onAssignmentReady(): void;
  /** A restore failed: fatal. */
  onFailure(error: unknown): void;
}

/**
 * Restoration of assigned tasks.
 *
 * @example
 * const restoration = new TaskRestoration(reader, host);
 * restoration.begin(manager.assign(assigned)); // in onPartitionsAssigned
 * await restoration.firstReady;                // in start()
 */
export class TaskRestoration {
  private restoring: Promise<void> | null = null;
  private generation = 0;
  private settled = false;
  private resolveReady!: () => void;
  private rejectReady!: (error: unknown) => void;
  /** Settles when the first assignment is ready (or the thread failed before that). */
  readonly firstReady: Promise<void>;

  constructor(
    private readonly reader: StoreChangelogReader,
    private readonly host: TaskRestorationHost,
  ) {
    this.firstReady = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.firstReady.catch(() => undefined);
  }

  /** Restores `tasks` (those of a new assignment that need it) in the background. */
  begin(tasks: readonly StreamTask[]): void {
    if (tasks.length === 0) {
      this.ready();
      return;
    }
    const generation = this.generation;
    const work = this.restoreAll(tasks);
    this.restoring = work;
    void work.then(
      () => {
        if (this.restoring === work) this.restoring = null;
        if (generation === this.generation) this.ready();
      },
      (error: unknown) => {
        if (this.restoring === work) this.restoring = null;
        this.settle(error);
        this.host.onFailure(error);
      },
    );
  }

  /** A revocation: later completions of current restores report nothing. */
  revoke(): void {
    this.generation++;
  }

  /** Waits for the restore in progress to stop (its tasks must be suspended first). */
  async settleRestoring(): Promise<void> {
    if (this.restoring !== null) await this.restoring.catch(() => undefined);
  }

  /** Settles `firstReady`: resolved (null) or rejected with `error`. Idempotent. */
  settle(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (error === null) this.resolveReady();
    else this.rejectReady(error);
  }

  private ready(): void {
    if (this.host.activeTasks().some((t) => t.state === 'restoring')) return;
    this.host.onAssignmentReady();
    this.settle(null);
  }

  private async restoreAll(tasks: readonly StreamTask[]): Promise<void> {
    for (const task of tasks) {
      if (task.state !== 'restoring') continue;
      const wanted = (): boolean => task.state === 'restoring' && this.host.isRunning();
      await this.reader.restore(task.id, task.stateManager, wanted);
      if (!wanted()) continue;
      task.completeRestoration();
      this.host.onTaskRestored(task);
    }
  }
}
