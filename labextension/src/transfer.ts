import type { ListingModel } from './listing';
import { joinPath, toLocalPath } from './paths';
import { ITranslate, Observable, untranslated } from './signal';
import type { ITransferItem, ITransferSubmission, SyncLevel } from './types';

/** Globus limits a task label to 128 characters. */
export const MAX_LABEL_LENGTH = 128;

/** A transfer that cannot be built yet. Its message names what is missing. */
export class TransferFormError extends Error {}

/** The transfer options the user sets: label, sync level, checksum. */
export class TransferOptions extends Observable {
  label = '';
  syncLevel: SyncLevel | '' = '';
  verifyChecksum = false;

  update(
    options: Partial<
      Pick<TransferOptions, 'label' | 'syncLevel' | 'verifyChecksum'>
    >
  ): void {
    Object.assign(this, options);
    this.notify();
  }
}

/**
 * Builds the `POST transfers` body from the selection on the source side into
 * the folder shown on the destination side.
 *
 * A side that is "this server" sends paths relative to the Jupyter root
 * (`source_local_path`, `destination_local_path`) and leaves its endpoint out,
 * so the server maps them onto its own collection.
 *
 * @throws {TransferFormError} When a side or the selection is missing, the
 *   label is too long, or an item would be copied onto itself.
 */
export function buildSubmission(
  source: ListingModel,
  destination: ListingModel,
  options: TransferOptions,
  trans: ITranslate = untranslated
): ITransferSubmission {
  if (!source.collection || !source.path) {
    throw new TransferFormError(
      trans.__('Choose a source collection and folder.')
    );
  }
  if (!destination.collection || !destination.path) {
    throw new TransferFormError(
      trans.__('Choose a destination collection and folder.')
    );
  }
  const selected = [...source.selection.values()];
  if (selected.length === 0) {
    throw new TransferFormError(
      trans.__('Select the files or folders to transfer.')
    );
  }
  const label = options.label.trim();
  if (label.length > MAX_LABEL_LENGTH) {
    throw new TransferFormError(
      trans.__(
        'The label has %1 characters; Globus allows at most %2.',
        label.length,
        MAX_LABEL_LENGTH
      )
    );
  }
  if (
    source.collection.id === destination.collection.id &&
    source.path === destination.path
  ) {
    throw new TransferFormError(
      trans.__(
        'Source and destination are the same folder; choose another destination folder.'
      )
    );
  }

  const sourceLocal = source.collection.local;
  const destinationLocal = destination.collection.local;
  const items = selected.map(entry => {
    const sourcePath = joinPath(source.path, entry.name);
    const destinationPath = joinPath(destination.path, entry.name);
    const item: ITransferItem = {};
    if (sourceLocal) {
      item.source_local_path = toLocalPath(sourceLocal.root, sourcePath);
    } else {
      item.source_path = sourcePath;
    }
    if (destinationLocal) {
      item.destination_local_path = toLocalPath(
        destinationLocal.root,
        destinationPath
      );
    } else {
      item.destination_path = destinationPath;
    }
    if (entry.type === 'dir') {
      item.recursive = true;
    }
    return item;
  });

  const submission: ITransferSubmission = { items };
  if (!sourceLocal) {
    submission.source_endpoint = source.collection.id;
  }
  if (!destinationLocal) {
    submission.destination_endpoint = destination.collection.id;
  }
  if (label) {
    submission.label = label;
  }
  if (options.syncLevel) {
    submission.sync_level = options.syncLevel;
  }
  if (options.verifyChecksum) {
    submission.verify_checksum = true;
  }
  return submission;
}
