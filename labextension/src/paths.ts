/**
 * Path helpers for Globus collection paths (always `/`-separated) and for the
 * mapping between the local collection and the Jupyter root directory.
 */

/** Ensures exactly one trailing `/`, as Globus returns directory paths. */
export function asDirectory(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/** Joins a directory and a name. */
export function joinPath(directory: string, name: string): string {
  return `${asDirectory(directory)}${name}`;
}

/**
 * Returns the parent directory of `path` with a trailing `/`; the root and
 * `~/` are their own parents.
 */
export function parentPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '~') {
    return path === '' ? '/' : asDirectory(path);
  }
  const slash = trimmed.lastIndexOf('/');
  if (slash < 0) {
    return '/';
  }
  return trimmed.slice(0, slash + 1);
}

/**
 * Converts a collection path below the local collection's `root` to a path
 * relative to the Jupyter root directory (`''` for the root itself).
 *
 * @throws {Error} When `path` is outside `root`.
 */
export function toLocalPath(root: string, path: string): string {
  const base = asDirectory(root);
  if (asDirectory(path) === base) {
    return '';
  }
  if (!path.startsWith(base)) {
    throw new Error(`${path} is outside the Jupyter root directory ${base}`);
  }
  return path.slice(base.length).replace(/\/+$/, '');
}

/** Converts a path relative to the Jupyter root to a local collection path. */
export function fromLocalPath(root: string, localPath: string): string {
  const relative = localPath.replace(/^\/+/, '');
  return relative === '' ? asDirectory(root) : joinPath(root, relative);
}
