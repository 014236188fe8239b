/**
 * A small change signal for the front-end model.
 *
 * The model stays free of JupyterLab and DOM imports, so its unit tests run in
 * plain Node; the React views subscribe through `connect`.
 */
export class Emitter<T = void> {
  private _listeners = new Set<(value: T) => void>();

  /** Adds a listener and returns the function that removes it. */
  connect(listener: (value: T) => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this._listeners]) {
      listener(value);
    }
  }
}

/** Base of the model classes: `changed` fires after every state change. */
export class Observable {
  readonly changed = new Emitter<void>();

  protected notify(): void {
    this.changed.emit();
  }
}

/** Turns any thrown value into a message for the user. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/**
 * The part of JupyterLab's `TranslationBundle` the model uses, so its messages
 * go through the translation bundle without importing JupyterLab.
 */
export interface ITranslate {
  __(message: string, ...args: Array<string | number>): string;
}

/** Fills `%1`, `%2`... without translating, like JupyterLab's null translator. */
export const untranslated: ITranslate = {
  __: (message, ...args) =>
    message.replace(/%(\d+)/g, (match, index) => {
      const value = args[Number(index) - 1];
      return value === undefined ? match : String(value);
    })
};
