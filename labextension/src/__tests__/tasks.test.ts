import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  isCanceled,
  MAX_POLL_INTERVAL_MS,
  MIN_POLL_INTERVAL_MS,
  TaskListModel
} from '../tasks';
import { ApiError, ITaskRecord } from '../types';
import { FakeApi, makeTask } from './fakeApi';

function setup(interval = 2000) {
  const api = new FakeApi();
  const model = new TaskListModel(api, () => false, interval);
  const ended: ITaskRecord[] = [];
  model.taskEnded.connect(task => ended.push(task));
  return { api, model, ended };
}

describe('TaskListModel', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('never polls more often than once a second', async () => {
    const { api, model } = setup(10);
    expect(model.interval).toBe(MIN_POLL_INTERVAL_MS);
    api.tasks.set('t1', makeTask('t1'));
    model.track(makeTask('t1'));

    await vi.advanceTimersByTimeAsync(999);
    expect(api.callsOf('getTask')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.callsOf('getTask')).toHaveLength(1);
    model.stop();
  });

  it('backs off while nothing changes', async () => {
    const { api, model } = setup(1000);
    api.tasks.set('t1', makeTask('t1'));
    model.track(makeTask('t1'));

    const delays: number[] = [];
    for (let poll = 0; poll < 12; poll++) {
      await vi.advanceTimersByTimeAsync(model.delay);
      delays.push(model.delay);
    }

    expect(delays[0]).toBe(1500);
    expect(delays[1]).toBe(2250);
    for (let index = 1; index < delays.length; index++) {
      expect(delays[index]).toBeGreaterThanOrEqual(delays[index - 1]);
    }
    expect(delays.at(-1)).toBe(MAX_POLL_INTERVAL_MS);
    model.stop();
  });

  it('goes back to the interval when progress changes', async () => {
    const { api, model } = setup(1000);
    api.tasks.set('t1', makeTask('t1'));
    model.track(makeTask('t1'));
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1500);
    expect(model.delay).toBe(2250);

    api.tasks.set(
      't1',
      makeTask('t1', { progress: 0.5, files_transferred: 3 })
    );
    await vi.advanceTimersByTimeAsync(2250);

    expect(model.delay).toBe(1000);
    expect(model.tasks[0].progress).toBe(0.5);
    model.stop();
  });

  it('doubles the wait after a failure', async () => {
    const { api, model } = setup(1000);
    api.tasks.set('t1', makeTask('t1'));
    api.failures.set('getTask', [
      new ApiError('Globus is down', 502, { code: 'GlobusError' })
    ]);
    model.track(makeTask('t1'));

    await vi.advanceTimersByTimeAsync(1000);

    expect(model.error).toBe('Globus is down');
    expect(model.delay).toBe(2000);
    model.stop();
  });

  it('announces a task ending once and then stops polling', async () => {
    const { api, model, ended } = setup(1000);
    api.tasks.set('t1', makeTask('t1'));
    model.track(makeTask('t1'));
    await vi.advanceTimersByTimeAsync(1000);

    api.tasks.set(
      't1',
      makeTask('t1', { status: 'SUCCEEDED', is_done: true, progress: 1 })
    );
    await vi.advanceTimersByTimeAsync(1500);
    await vi.advanceTimersByTimeAsync(60000);

    expect(ended.map(task => task.status)).toEqual(['SUCCEEDED']);
    expect(model.polling).toBe(false);
    expect(api.callsOf('getTask')).toHaveLength(2);
  });

  it('announces a task that ended before it was tracked', () => {
    const { model, ended } = setup(1000);

    model.track(
      makeTask('fast', { status: 'SUCCEEDED', is_done: true, progress: 1 })
    );

    expect(ended.map(task => task.task_id)).toEqual(['fast']);
    expect(model.polling).toBe(false);
  });

  it('does not announce tasks that had ended before they were listed', async () => {
    const { api, model, ended } = setup();
    api.tasks.set(
      'old',
      makeTask('old', { status: 'SUCCEEDED', is_done: true })
    );

    await model.reload();

    expect(model.tasks.map(task => task.task_id)).toEqual(['old']);
    expect(ended).toHaveLength(0);
    expect(model.polling).toBe(false);
  });

  it('runs one poll at a time', async () => {
    const { api, model } = setup(1000);
    api.tasks.set('t1', makeTask('t1'));
    model.track(makeTask('t1'));
    api.held.add('getTask');
    const first = model.poll();
    const second = model.poll();
    api.release();
    await Promise.all([first, second]);

    expect(api.callsOf('getTask')).toHaveLength(1);
    model.stop();
  });

  it('cancels a task and shows it ended', async () => {
    const { api, model, ended } = setup(1000);
    api.tasks.set('t1', makeTask('t1'));
    model.track(makeTask('t1'));

    const message = await model.cancel('t1');
    await vi.advanceTimersByTimeAsync(1000);

    expect(message).toBe('The task was canceled.');
    expect(api.callsOf('cancelTask')).toEqual(['t1']);
    expect(ended.map(task => task.status)).toEqual(['FAILED']);
  });
});

describe('isCanceled', () => {
  it('reads a FAILED task with code CANCELED as canceled', () => {
    const canceled = makeTask('t', {
      status: 'FAILED',
      is_done: true,
      fatal_error: { code: 'CANCELED', description: 'canceled' }
    });
    expect(isCanceled(canceled)).toBe(true);
  });

  it('reads other failures as failed', () => {
    const failed = makeTask('t', {
      status: 'FAILED',
      is_done: true,
      fatal_error: { code: 'PERMISSION_DENIED', description: 'denied' }
    });
    expect(isCanceled(failed)).toBe(false);
    expect(isCanceled(makeTask('t', { status: 'FAILED', is_done: true }))).toBe(
      false
    );
    expect(isCanceled(makeTask('t'))).toBe(false);
  });
});
