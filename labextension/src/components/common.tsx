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
