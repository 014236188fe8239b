import { Emitter, errorMessage, Observable } from './signal';
import type { IGlobusApi, ITaskRecord } from './types';

/**
 * Returns whether `task` was canceled. Globus reports a canceled task as `FAILED`
 * with the fatal error code `CANCELED`.
 */
export function isCanceled(task: ITaskRecord): boolean {
  return task.status === 'FAILED' && task.fatal_error?.code === 'CANCELED';
}

/** Polling never runs more often than once a second. */
export const MIN_POLL_INTERVAL_MS = 1000;

/** The maximum wait between two polls while tasks are active. */
export const MAX_POLL_INTERVAL_MS = 30000;

/** How many recent tasks the list shows. */
export const TASK_LIST_LIMIT = 20;

/**
 * Recent tasks with their progress, polled while any is active.
 *
 * A poll that changes nothing makes the next wait 1.5 times as long, and a
 * failed poll makes it twice as long, up to `MAX_POLL_INTERVAL_MS`. A change or
 * a new task brings the wait back to the configured interval. Only one request
 * is in flight at a time, and polling stops when no task is active.
 */
export class TaskListModel extends Observable {
  constructor(
    private readonly _api: IGlobusApi,
    private readonly _onError: (
      error: unknown,
      retry: () => Promise<unknown>
    ) => boolean,
    interval = 2000
  ) {
    super();
    this.interval = interval;
  }

  /** Fires once for each task seen ending (succeeded or failed). */
  readonly taskEnded = new Emitter<ITaskRecord>();

  /** Tasks, newest first. */
  tasks: ITaskRecord[] = [];
  error: string | null = null;
  loading = false;
  /** The wait before the next poll, in milliseconds. */
  delay = MIN_POLL_INTERVAL_MS;

  get interval(): number {
    return this._interval;
  }

  /** Sets the base polling interval in milliseconds (at least one second). */
  set interval(value: number) {
    const interval = Number.isFinite(value) ? value : MIN_POLL_INTERVAL_MS;
    this._interval = Math.min(
      MAX_POLL_INTERVAL_MS,
      Math.max(MIN_POLL_INTERVAL_MS, interval)
    );
    this.delay = this._interval;
  }

  get activeTasks(): ITaskRecord[] {
    return this.tasks.filter(task => !task.is_done);
  }

  /** Whether a poll is scheduled. */
  get polling(): boolean {
    return this._timer !== null;
  }

  /** Loads the recent tasks and polls while any is active. */
  async reload(): Promise<void> {
    this.loading = true;
    this.notify();
    try {
      const tasks = await this._api.listTasks({ limit: TASK_LIST_LIMIT });
      this._merge(tasks, false);
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
      this._onError(error, () => this.reload());
    } finally {
      this.loading = false;
      this.notify();
    }
    this._schedule(this._interval);
  }

  /**
   * Adds a task just submitted and polls it from the base interval. A task
   * that has already ended, as a small transfer can, is announced at once.
   */
  track(task: ITaskRecord): void {
    this.tasks = [
      task,
      ...this.tasks.filter(known => known.task_id !== task.task_id)
    ];
    if (task.is_done) {
      this.taskEnded.emit(task);
    }
    this.notify();
    this._schedule(this._interval);
  }

  /** Asks Globus to cancel `taskId`, then polls soon to show the outcome. */
  async cancel(taskId: string): Promise<string> {
    const result = await this._api.cancelTask(taskId);
    this._schedule(this._interval);
    return result.message;
  }

  /** Stops polling, for example when the panel is disposed. */
  stop(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  /** Polls every active task once; the timer calls this. */
  async poll(): Promise<void> {
    if (this._inFlight) {
      return;
    }
    this._inFlight = true;
    let changed = false;
    let failed = false;
    try {
      for (const task of this.activeTasks) {
        const updated = await this._api.getTask(task.task_id);
        changed = this._merge([updated], true) || changed;
      }
      this.error = null;
    } catch (error) {
      failed = true;
      this.error = errorMessage(error);
      this._onError(error, () => this.poll());
    } finally {
      this._inFlight = false;
    }

    if (failed) {
      this.delay = Math.min(MAX_POLL_INTERVAL_MS, this.delay * 2);
    } else if (changed) {
      this.delay = this._interval;
    } else {
      this.delay = Math.min(MAX_POLL_INTERVAL_MS, Math.round(this.delay * 1.5));
    }
    this.notify();
    this._schedule(this.delay, false);
  }

  /**
   * Stores `updates`, keeping the order newest first.
   *
   * @returns Whether any task's status or progress changed.
   */
  private _merge(updates: ITaskRecord[], single: boolean): boolean {
    let changed = false;
    const byId = new Map(this.tasks.map(task => [task.task_id, task]));
    for (const update of updates) {
      const previous = byId.get(update.task_id);
      if (
        !previous ||
        previous.status !== update.status ||
        previous.progress !== update.progress ||
        previous.files_transferred !== update.files_transferred ||
        previous.bytes_transferred !== update.bytes_transferred
      ) {
        changed = true;
      }
      if (previous && !previous.is_done && update.is_done) {
        this.taskEnded.emit(update);
      }
      byId.set(update.task_id, update);
    }
    if (single) {
      this.tasks = this.tasks.map(task => byId.get(task.task_id) ?? task);
    } else {
      const listed = new Set(updates.map(task => task.task_id));
      // Keep active tasks that the listing has not caught up with yet.
      const extra = this.tasks.filter(
        task => !listed.has(task.task_id) && !task.is_done
      );
      this.tasks = [...extra, ...updates].slice(
        0,
        Math.max(TASK_LIST_LIMIT, extra.length)
      );
    }
    return changed;
  }

  private _schedule(delay: number, resetBackOff = true): void {
    this.stop();
    if (resetBackOff) {
      this.delay = this._interval;
    }
    if (this.activeTasks.length === 0) {
      return;
    }
    this._timer = setTimeout(
      () => {
        this._timer = null;
        void this.poll();
      },
      Math.max(MIN_POLL_INTERVAL_MS, delay)
    );
  }

  private _interval = 2000;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _inFlight = false;
}
