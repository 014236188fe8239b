import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { GlobusModel } from '../model';
import { MAX_LABEL_LENGTH } from '../transfer';
import type { SyncLevel } from '../types';
import { ErrorText, ITransProps, useObservable } from './common';

/** Transfer options (label, sync level, checksum) and the Transfer button. */
export function TransferSection(
  props: ITransProps & { model: GlobusModel }
): JSX.Element {
  const { model, trans } = props;
  const options = model.options;
  useObservable(model);
  const count = model.source.selection.size;
  const blocker = model.transferBlocker;

  return (
    <form
      className="tunel-Transfer"
      aria-label={trans.__('Transfer options')}
      onSubmit={event => {
        event.preventDefault();
        void model.transfer();
      }}
    >
      <h3 className="tunel-SectionTitle">{trans.__('Transfer')}</h3>
      <label className="tunel-Field">
        <span>{trans.__('Label')}</span>
        <input
          className="jp-mod-styled"
          value={options.label}
          maxLength={MAX_LABEL_LENGTH}
          placeholder={trans.__('Optional')}
          onChange={event => options.update({ label: event.target.value })}
        />
      </label>
      <label className="tunel-Field">
        <span>{trans.__('Sync')}</span>
        <select
          className="jp-mod-styled"
          value={options.syncLevel}
          onChange={event =>
            options.update({ syncLevel: event.target.value as SyncLevel | '' })
          }
        >
          <option value="">{trans.__('Copy everything')}</option>
          <option value="exists">
            {trans.__('Only files missing at the destination')}
          </option>
          <option value="size">{trans.__('Files whose size differs')}</option>
          <option value="mtime">{trans.__('Files newer at the source')}</option>
          <option value="checksum">
            {trans.__('Files whose checksum differs')}
          </option>
        </select>
      </label>
      <label className="tunel-Checkbox">
        <input
          type="checkbox"
          checked={options.verifyChecksum}
          onChange={event =>
            options.update({ verifyChecksum: event.target.checked })
          }
        />
        {trans.__('Verify checksums after the transfer')}
      </label>
      <div className="tunel-TransferActions">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept tunel-Primary tunel-TransferButton"
          disabled={model.submitting || blocker !== null}
          aria-describedby={blocker ? 'tunel-transfer-hint' : undefined}
        >
          {count > 0
            ? trans._n('Transfer %1 item', 'Transfer %1 items', count)
            : trans.__('Transfer')}
        </button>
        <Button
          type="button"
          small
          minimal
          onClick={() => void model.swapSides()}
          disabled={!model.source.collection && !model.destination.collection}
        >
          {trans.__('Swap source and destination')}
        </Button>
      </div>
      {blocker ? (
        <p id="tunel-transfer-hint" className="tunel-Muted tunel-TransferHint">
          {blocker}
        </p>
      ) : null}
      <ErrorText message={model.transferError} />
    </form>
  );
}
