import type { TranslationBundle } from '@jupyterlab/translation';
import { Button, refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { isCanceled, TaskListModel } from '../tasks';
import type { ITaskRecord } from '../types';
import { ErrorText, ITransProps, useObservable } from './common';
import { formatBytes, formatCount } from '../format';

/** Returns the short status shown for `task`, with "Canceled" apart from "Failed". */
export function taskStatusLabel(
  task: ITaskRecord,
  trans: TranslationBundle
): string {
  switch (task.status) {
    case 'ACTIVE':
      return trans.__('Active');
    case 'INACTIVE':
      return trans.__('Paused');
    case 'SUCCEEDED':
      return trans.__('Succeeded');
    case 'FAILED':
      return isCanceled(task) ? trans.__('Canceled') : trans.__('Failed');
  }
}

/** Recent tasks with progress bars and a cancel button for active ones. */
export function TaskSection(
  props: ITransProps & {
    tasks: TaskListModel;
    onCancel: (task: ITaskRecord) => void;
  }
): JSX.Element {
  const { tasks, trans } = props;
  useObservable(tasks);
  return (
    <section className="tunel-Tasks" aria-label={trans.__('Tasks')}>
      <div className="tunel-SectionHeader">
        <h3 className="tunel-SectionTitle">{trans.__('Tasks')}</h3>
        <Button
          small
          minimal
          aria-label={trans.__('Refresh tasks')}
          title={trans.__('Refresh tasks')}
          onClick={() => void tasks.reload()}
        >
          <refreshIcon.react tag="span" />
        </Button>
      </div>
      {tasks.tasks.length === 0 ? (
        <p className="tunel-Muted">
          {tasks.loading ? trans.__('Loading…') : trans.__('No recent tasks.')}
        </p>
      ) : (
        <ul className="tunel-TaskList">
          {tasks.tasks.map(task => (
            <TaskItem
              key={task.task_id}
              task={task}
              trans={trans}
              onCancel={props.onCancel}
            />
          ))}
        </ul>
      )}
      <ErrorText message={tasks.error} />
    </section>
  );
}

function TaskItem(
  props: ITransProps & {
    task: ITaskRecord;
    onCancel: (task: ITaskRecord) => void;
  }
): JSX.Element {
  const { task, trans } = props;
  const name = task.label || task.task_id;
  const percent =
    task.progress === null ? null : Math.round(task.progress * 100);
  const files =
    task.files !== null && task.files !== undefined
      ? trans._n(
          '%2 of %3 file',
          '%2 of %3 files',
          task.files,
          formatCount(task.files_transferred ?? 0),
          formatCount(task.files)
        )
      : '';
  return (
    <li
      className={`tunel-Task tunel-Task-${isCanceled(task) ? 'canceled' : task.status.toLowerCase()}`}
      data-task-id={task.task_id}
    >
      <div className="tunel-TaskHeader">
        <span className="tunel-TaskName" title={task.task_id}>
          {name}
        </span>
        <span className="tunel-TaskStatus">{taskStatusLabel(task, trans)}</span>
      </div>
      <div
        className="tunel-Progress"
        role="progressbar"
        aria-label={trans.__('Progress of %1', name)}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={
          percent === null ? trans.__('unknown') : trans.__('%1%', percent)
        }
      >
        <div
          className="tunel-ProgressBar"
          style={{ width: `${percent ?? 0}%` }}
        />
      </div>
      <div className="tunel-TaskDetails">
        <span>
          {[
            files,
            formatBytes(task.bytes_transferred),
            task.is_done ? '' : (task.nice_status ?? '')
          ]
            .filter(Boolean)
            .join(' · ')}
        </span>
        {!task.is_done ? (
          <Button
            small
            minimal
            onClick={() => props.onCancel(task)}
            aria-label={trans.__('Cancel %1', name)}
          >
            {trans.__('Cancel')}
          </Button>
        ) : null}
      </div>
      {task.fatal_error?.description && !isCanceled(task) ? (
        <ErrorText message={task.fatal_error.description} />
      ) : null}
    </li>
  );
}
