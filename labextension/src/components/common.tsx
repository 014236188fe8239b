import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { Observable } from '../signal';

/** Re-renders the calling component whenever `observable` changes. */
export function useObservable(observable: Observable): void {
  const [, setVersion] = React.useState(0);
  React.useEffect(() => {
    const disconnect = observable.changed.connect(() =>
      setVersion(version => version + 1)
    );
    return () => {
      disconnect();
    };
  }, [observable]);
}

/** Props every view of the panel takes. */
export interface ITransProps {
  trans: TranslationBundle;
}

/** Renders an error line that screen readers announce. */
export function ErrorText(props: {
  message: string | null;
}): JSX.Element | null {
  if (!props.message) {
    return null;
  }
  return (
    <div className="tunel-Error" role="alert">
      {props.message}
    </div>
  );
}

/** Formats a byte count for display (base 1000, as Globus shows sizes). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) {
    return '';
  }
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0
    ? `${value} ${units[unit]}`
    : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Shortens a Globus timestamp such as `2021-01-15 01:45:50+00:00` to minutes
 * (`2021-01-15 01:45`); other text is returned unchanged.
 */
export function formatModified(value: string | null | undefined): string {
  if (!value) {
    return '';
  }
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})/.exec(value);
  return match ? `${match[1]} ${match[2]}` : value;
}
