import type { TranslationBundle } from '@jupyterlab/translation';
import {
  Button,
  checkIcon,
  circleEmptyIcon,
  searchIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { ListScope, LIST_SCOPES, nextRowIndex } from '../endpoints';
import type { GlobusModel, Side } from '../model';
import type { IEndpointRecord } from '../types';
import { ErrorText, ITransProps, useObservable } from './common';

function scopeLabel(scope: ListScope, trans: TranslationBundle): string {
  switch (scope) {
    case 'my-endpoints':
      return trans.__('Mine');
    case 'shared-with-me':
      return trans.__('Shared with me');
    case 'recently-used':
      return trans.__('Recent');
    case 'search':
      return trans.__('Search');
  }
}

/** Returns a short name for a Globus entity type such as `GCSv5_mapped_collection`. */
export function entityTypeLabel(
  type: string | null,
  trans: TranslationBundle
): string {
  switch (type) {
    case 'GCSv5_mapped_collection':
      return trans.__('Mapped collection');
    case 'GCSv5_guest_collection':
      return trans.__('Guest collection');
    case 'GCP_mapped_collection':
      return trans.__('Personal');
    case 'GCP_guest_collection':
      return trans.__('Personal guest');
    case 'GCSv5_endpoint':
      return trans.__('Endpoint');
    case 'GCSv4_host':
      return trans.__('Endpoint (GCSv4)');
    case 'GCSv4_share':
      return trans.__('Share (GCSv4)');
    default:
      return type ?? '';
  }
}

function statusLabel(
  record: IEndpointRecord,
  trans: TranslationBundle
): string {
  if (record.non_functional) {
    return trans.__('Not a collection');
  }
  return record.high_assurance
    ? trans.__('Ready, high assurance')
    : trans.__('Ready');
}

/** Renders a collection's status as an icon, with its label for screen readers. */
function StatusIcon(
  props: ITransProps & { record: IEndpointRecord }
): JSX.Element {
  const label = statusLabel(props.record, props.trans);
  const Icon = props.record.non_functional ? circleEmptyIcon : checkIcon;
  return (
    <span className="tunel-StatusIcon" title={label}>
      <Icon.react tag="span" />
      <span className="tunel-VisuallyHidden">{label}</span>
    </span>
  );
}

function sideLabel(side: Side, trans: TranslationBundle): string {
  return side === 'source' ? trans.__('Source') : trans.__('Destination');
}

/**
 * Scope tabs, search and the endpoint table; choosing a row opens that
 * collection on the side picked with "Choose for".
 */
export function EndpointSection(
  props: ITransProps & { model: GlobusModel }
): JSX.Element {
  const { model, trans } = props;
  const endpoints = model.endpoints;
  useObservable(model);
  const list = endpoints.list();
  const [search, setSearch] = React.useState(endpoints.searchText);
  const tabs = React.useRef<Array<HTMLButtonElement | null>>([]);

  const onTabKey = (event: React.KeyboardEvent, index: number) => {
    let step: number;
    if (event.key === 'ArrowRight') {
      step = 1;
    } else if (event.key === 'ArrowLeft') {
      step = -1;
    } else {
      return;
    }
    event.preventDefault();
    const next = (index + step + LIST_SCOPES.length) % LIST_SCOPES.length;
    tabs.current[next]?.focus();
    void endpoints.select(LIST_SCOPES[next]);
  };

  const local = model.localCollection;
  return (
    <section className="tunel-Endpoints" aria-label={trans.__('Collections')}>
      <h3 className="tunel-SectionTitle">{trans.__('Collections')}</h3>
      <div
        className="tunel-SidePicker"
        role="group"
        aria-label={trans.__('Choose for')}
      >
        <span>{trans.__('Choose for:')}</span>
        {(['source', 'destination'] as Side[]).map(side => (
          <Button
            key={side}
            small
            minimal={model.activeSide !== side}
            aria-pressed={model.activeSide === side}
            className={`tunel-SideButton tunel-SideButton-${side}`}
            onClick={() => model.setActiveSide(side)}
          >
            {sideLabel(side, trans)}
          </Button>
        ))}
      </div>
      {local ? (
        <Button
          small
          className="tunel-ThisServerButton"
          onClick={() => void model.chooseLocal(model.activeSide)}
          title={trans.__(
            'The Jupyter root directory, served by %1',
            local.displayName
          )}
        >
          {trans.__(
            'This server as %1',
            sideLabel(model.activeSide, trans).toLowerCase()
          )}
        </Button>
      ) : null}
      <div
        className="tunel-Tabs"
        role="tablist"
        aria-label={trans.__('Endpoint lists')}
      >
        {LIST_SCOPES.map((scope, index) => (
          <button
            key={scope}
            ref={element => {
              tabs.current[index] = element;
            }}
            role="tab"
            id={`tunel-tab-${scope}`}
            aria-selected={endpoints.scope === scope}
            aria-controls="tunel-endpoint-table"
            tabIndex={endpoints.scope === scope ? 0 : -1}
            className={`tunel-Tab${endpoints.scope === scope ? ' tunel-mod-selected' : ''}`}
            onClick={() => void endpoints.select(scope)}
            onKeyDown={event => onTabKey(event, index)}
          >
            {scopeLabel(scope, trans)}
          </button>
        ))}
      </div>
      <div
        id="tunel-endpoint-table"
        role="tabpanel"
        aria-labelledby={`tunel-tab-${endpoints.scope}`}
        aria-busy={list.loading}
      >
        {endpoints.scope === 'search' ? (
          <form
            className="tunel-Search"
            role="search"
            onSubmit={event => {
              event.preventDefault();
              void endpoints.setSearch(search);
            }}
          >
            <input
              className="jp-mod-styled"
              type="search"
              value={search}
              placeholder={trans.__('Name, owner or description')}
              aria-label={trans.__('Search collections')}
              onChange={event => setSearch(event.target.value)}
            />
            <Button small type="submit" aria-label={trans.__('Search')}>
              <searchIcon.react tag="span" />
            </Button>
          </form>
        ) : null}
        <EndpointTable model={model} trans={trans} records={list.records} />
        {list.loading ? (
          <p className="tunel-Muted">{trans.__('Loading…')}</p>
        ) : null}
        {!list.loading && list.loaded && list.records.length === 0 ? (
          <p className="tunel-Muted">
            {endpoints.scope === 'recently-used'
              ? trans.__(
                  'No recently used collections yet. Collections you transfer with appear here.'
                )
              : trans.__('No collections found.')}
          </p>
        ) : null}
        {list.hasNextPage ? (
          <Button
            small
            minimal
            onClick={() => void endpoints.loadMore()}
            disabled={list.loading}
          >
            {trans.__('Load more')}
          </Button>
        ) : null}
        <ErrorText message={list.error} />
      </div>
    </section>
  );
}

function EndpointTable(
  props: ITransProps & { model: GlobusModel; records: IEndpointRecord[] }
): JSX.Element | null {
  const { model, trans, records } = props;
  // One row is the table's single Tab stop; arrow keys move it (roving tabindex).
  const [activeRow, setActiveRow] = React.useState(0);
  const rows = React.useRef<Array<HTMLTableRowElement | null>>([]);
  if (records.length === 0) {
    return null;
  }
  const current = Math.min(activeRow, records.length - 1);
  const onRowKey = (event: React.KeyboardEvent, index: number) => {
    const next = nextRowIndex(event.key, index, records.length);
    if (next === null) {
      return;
    }
    event.preventDefault();
    setActiveRow(next);
    rows.current[next]?.focus();
  };
  // Endpoints that are not collections (GCSv5 endpoints) cannot be listed.
  const choose = (record: IEndpointRecord) => {
    if (!record.non_functional) {
      void model.chooseEndpoint(record);
    }
  };
  return (
    <div className="tunel-TableScroll">
      <table className="tunel-Table tunel-EndpointTable">
        <caption className="tunel-VisuallyHidden">
          {trans.__(
            'Collections; choose one to open it as the %1',
            sideLabel(model.activeSide, trans).toLowerCase()
          )}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="tunel-col-name">
              {trans.__('Name')}
            </th>
            <th scope="col" className="tunel-col-owner">
              {trans.__('Owner')}
            </th>
            <th scope="col" className="tunel-col-type">
              {trans.__('Type')}
            </th>
            <th scope="col" className="tunel-col-status">
              <span className="tunel-VisuallyHidden">{trans.__('Status')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {records.map((record, index) => (
            <tr
              key={record.id}
              ref={element => {
                rows.current[index] = element;
              }}
              className={record.non_functional ? 'tunel-mod-disabled' : ''}
              tabIndex={index === current ? 0 : -1}
              onFocus={() => setActiveRow(index)}
              aria-disabled={record.non_functional ? true : undefined}
              title={record.description ?? record.id}
              aria-label={trans.__(
                'Open %1 as the %2',
                record.display_name,
                sideLabel(model.activeSide, trans).toLowerCase()
              )}
              onClick={() => choose(record)}
              onKeyDown={event => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  choose(record);
                } else {
                  onRowKey(event, index);
                }
              }}
            >
              <td
                className="tunel-col-name tunel-EndpointName"
                title={record.display_name}
              >
                {record.display_name}
              </td>
              <td className="tunel-col-owner">{record.owner_string ?? ''}</td>
              <td className="tunel-col-type">
                {entityTypeLabel(record.entity_type, trans)}
              </td>
              <td className="tunel-col-status">
                <StatusIcon record={record} trans={trans} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
