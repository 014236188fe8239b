import type { TranslationBundle } from '@jupyterlab/translation';
import { Button, ReactWidget, refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { SideBrowser } from './components/browser';
import { ITransProps, useObservable } from './components/common';
import { EndpointSection } from './components/endpoints';
import { LoginSection } from './components/login';
import { TaskSection } from './components/tasks';
import { TransferSection } from './components/transfer';
import type { GlobusModel } from './model';
import type { ITaskRecord } from './types';

function PanelView(
  props: ITransProps & {
    model: GlobusModel;
    onCancel: (task: ITaskRecord) => void;
  }
): JSX.Element {
  const { model, trans } = props;
  useObservable(model);
  const loggedIn = model.session.loggedIn && !model.session.consent;
  return (
    <div className="tunel-PanelBody">
      <header className="tunel-Header">
        <h2 className="tunel-Title">{trans.__('Globus')}</h2>
        <Button
          small
          minimal
          aria-label={trans.__('Refresh the Globus panel')}
          title={trans.__('Refresh the Globus panel')}
          onClick={() => void model.refresh()}
        >
          <refreshIcon.react tag="span" />
        </Button>
      </header>
      <LoginSection model={model} trans={trans} />
      {loggedIn ? (
        <>
          <EndpointSection model={model} trans={trans} />
          <SideBrowser
            listing={model.source}
            side="source"
            trans={trans}
            active={model.activeSide === 'source'}
            onActivate={() => model.setActiveSide('source')}
          />
          <SideBrowser
            listing={model.destination}
            side="destination"
            trans={trans}
            active={model.activeSide === 'destination'}
            onActivate={() => model.setActiveSide('destination')}
          />
          <TransferSection model={model} trans={trans} />
        </>
      ) : null}
      {model.session.loggedIn ? (
        <TaskSection
          tasks={model.tasks}
          trans={trans}
          onCancel={props.onCancel}
        />
      ) : null}
    </div>
  );
}

/** The left-sidebar Globus panel. */
export class GlobusPanel extends ReactWidget {
  constructor(
    readonly model: GlobusModel,
    private readonly _trans: TranslationBundle,
    private readonly _onCancel: (task: ITaskRecord) => void
  ) {
    super();
    this.addClass('tunel-Panel');
  }

  protected render(): JSX.Element {
    return (
      <PanelView
        model={this.model}
        trans={this._trans}
        onCancel={this._onCancel}
      />
    );
  }

  dispose(): void {
    this.model.tasks.stop();
    super.dispose();
  }
}
