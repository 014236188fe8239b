import {
  Button,
  caretLeftIcon,
  caretRightIcon,
  caretUpIcon,
  fileIcon,
  folderIcon,
  newFolderIcon,
  refreshIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import type { ListingModel } from '../listing';
import type { Side } from '../model';
import type { IFileEntry } from '../types';
import { ErrorText, ITransProps, useObservable } from './common';
import { formatBytes, formatCount, formatModified } from '../format';

/**
 * Renders the browser of one transfer side: path entry, up, refresh, the
 * hidden-file toggle, one page of entries with checkboxes, and the page controls.
 */
export function SideBrowser(
  props: ITransProps & {
    listing: ListingModel;
    side: Side;
    active: boolean;
    onActivate: () => void;
  }
): JSX.Element {
  const { listing, side, trans } = props;
  useObservable(listing);
  const [path, setPath] = React.useState(listing.path);
  React.useEffect(() => setPath(listing.path), [listing.path]);

  const title =
    side === 'source' ? trans.__('Source') : trans.__('Destination');
  const collection = listing.collection;
  const sectionId = `tunel-browser-${side}`;
  return (
    <section
      className={`tunel-Browser tunel-Browser-${side}${props.active ? ' tunel-mod-active' : ''}`}
      aria-labelledby={`${sectionId}-title`}
    >
      <h3 className="tunel-SectionTitle" id={`${sectionId}-title`}>
        {title}
        {collection ? `: ${collection.displayName}` : ''}
      </h3>
      {!collection ? (
        <p className="tunel-Muted">
          {trans.__('Choose a collection above, or this server.')}{' '}
          {!props.active ? (
            <Button small minimal onClick={props.onActivate}>
              {trans.__('Choose the %1', title.toLowerCase())}
            </Button>
          ) : null}
        </p>
      ) : (
        <>
          <form
            className="tunel-PathBar"
            onSubmit={event => {
              event.preventDefault();
              void listing.cd(path);
            }}
          >
            <Button
              small
              minimal
              type="button"
              aria-label={trans.__('Up one folder')}
              title={trans.__('Up one folder')}
              disabled={listing.isAtTop || listing.loading}
              onClick={() => void listing.up()}
            >
              <caretUpIcon.react tag="span" />
            </Button>
            <input
              className="jp-mod-styled tunel-PathInput"
              value={path}
              aria-label={trans.__('%1 path', title)}
              onChange={event => setPath(event.target.value)}
            />
            <Button
              small
              minimal
              type="button"
              aria-label={trans.__(
                'Refresh the %1 folder',
                title.toLowerCase()
              )}
              title={trans.__('Refresh')}
              onClick={() => void listing.refresh()}
            >
              <refreshIcon.react tag="span" />
            </Button>
          </form>
          <div className="tunel-BrowserOptions">
            <label className="tunel-Checkbox">
              <input
                type="checkbox"
                checked={listing.showHidden}
                onChange={event =>
                  void listing.setShowHidden(event.target.checked)
                }
              />
              {trans.__('Show hidden files')}
            </label>
            <NewFolder listing={listing} trans={trans} />
          </div>
          <EntryTable listing={listing} side={side} trans={trans} />
          <PageControls listing={listing} trans={trans} />
          <ErrorText message={listing.error} />
        </>
      )}
    </section>
  );
}

function EntryTable(
  props: ITransProps & { listing: ListingModel; side: Side }
): JSX.Element {
  const { listing, trans } = props;
  if (listing.loading && listing.entries.length === 0) {
    return <p className="tunel-Muted">{trans.__('Loading…')}</p>;
  }
  if (listing.entries.length === 0) {
    // A failed listing shows only its error, below the table.
    if (listing.error) {
      return <></>;
    }
    return <p className="tunel-Muted">{trans.__('This folder is empty.')}</p>;
  }
  const open = (entry: IFileEntry) => void listing.enter(entry);
  return (
    <div className="tunel-TableScroll" aria-busy={listing.loading}>
      <table className="tunel-Table tunel-EntryTable">
        <thead>
          <tr>
            <th scope="col" className="tunel-SelectColumn">
              <span className="tunel-VisuallyHidden">
                {trans.__('Selected')}
              </span>
            </th>
            <th scope="col">{trans.__('Name')}</th>
            <th scope="col">{trans.__('Size')}</th>
            <th scope="col">{trans.__('Modified')}</th>
          </tr>
        </thead>
        <tbody>
          {listing.entries.map(entry => {
            const isDir = entry.type === 'dir';
            const Icon = isDir ? folderIcon : fileIcon;
            return (
              <tr
                key={entry.name}
                className={
                  listing.selection.has(entry.name) ? 'tunel-mod-selected' : ''
                }
              >
                <td className="tunel-SelectColumn">
                  <input
                    type="checkbox"
                    checked={listing.selection.has(entry.name)}
                    aria-label={trans.__('Select %1', entry.name)}
                    onChange={() => listing.toggleSelected(entry)}
                  />
                </td>
                <td className="tunel-EntryName">
                  <Icon.react tag="span" className="tunel-EntryIcon" />
                  {isDir ? (
                    <button
                      className="tunel-LinkButton"
                      aria-label={trans.__('Open folder %1', entry.name)}
                      onClick={() => open(entry)}
                    >
                      {entry.name}
                    </button>
                  ) : (
                    <span>{entry.name}</span>
                  )}
                </td>
                <td>{isDir ? '' : formatBytes(entry.size)}</td>
                <td title={entry.last_modified ?? ''}>
                  {formatModified(entry.last_modified)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function PageControls(
  props: ITransProps & { listing: ListingModel }
): JSX.Element {
  const { listing, trans } = props;
  const [first, last] = listing.range;
  const pages = listing.pageCount;
  const page = Math.floor(listing.offset / listing.pageSize) + 1;
  const count =
    listing.total === null
      ? trans.__('%1–%2', formatCount(first), formatCount(last))
      : trans._n(
          '%2–%3 of %4 item',
          '%2–%3 of %4 items',
          listing.total,
          formatCount(first),
          formatCount(last),
          formatCount(listing.total)
        );
  return (
    <div className="tunel-Paging" role="group" aria-label={trans.__('Pages')}>
      <Button
        small
        minimal
        aria-label={trans.__('Previous page')}
        disabled={!listing.hasPreviousPage || listing.loading}
        onClick={() => void listing.previousPage()}
      >
        <caretLeftIcon.react tag="span" />
      </Button>
      <span className="tunel-PageInfo" aria-live="polite">
        {pages !== null && pages > 1
          ? trans.__('Page %1 of %2', page, pages) + ' · '
          : ''}
        {count}
        {listing.selection.size > 0
          ? ' · ' +
            trans._n(
              '%1 item selected',
              '%1 items selected',
              listing.selection.size
            )
          : ''}
      </span>
      <Button
        small
        minimal
        aria-label={trans.__('Next page')}
        disabled={!listing.hasNextPage || listing.loading}
        onClick={() => void listing.nextPage()}
      >
        <caretRightIcon.react tag="span" />
      </Button>
    </div>
  );
}

/** Renders a "New folder" button that opens a name box and creates the folder. */
function NewFolder(
  props: ITransProps & { listing: ListingModel }
): JSX.Element {
  const { listing, trans } = props;
  const [editing, setEditing] = React.useState(false);
  const [name, setName] = React.useState('');

  if (!editing) {
    return (
      <Button
        small
        minimal
        aria-label={trans.__('New folder')}
        title={trans.__('New folder')}
        onClick={() => setEditing(true)}
      >
        <newFolderIcon.react tag="span" />
      </Button>
    );
  }
  return (
    <form
      className="tunel-NewFolder"
      onSubmit={event => {
        event.preventDefault();
        void listing.makeDirectory(name).then(created => {
          if (created) {
            setName('');
            setEditing(false);
          }
        });
      }}
    >
      <input
        className="jp-mod-styled"
        autoFocus
        value={name}
        aria-label={trans.__('Name of the new folder')}
        onChange={event => setName(event.target.value)}
        onKeyDown={event => {
          if (event.key === 'Escape') {
            setEditing(false);
          }
        }}
      />
      <Button small type="submit">
        {trans.__('Create')}
      </Button>
    </form>
  );
}
