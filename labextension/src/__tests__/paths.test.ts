import { describe, expect, it } from 'vitest';

import {
  asDirectory,
  fromLocalPath,
  joinPath,
  parentPath,
  toLocalPath
} from '../paths';

describe('collection paths', () => {
  it('finds the parent of nested folders', () => {
    expect(parentPath('/a/b/c/')).toBe('/a/b/');
    expect(parentPath('/a/b/c')).toBe('/a/b/');
    expect(parentPath('/a/')).toBe('/');
  });

  it('keeps the root as its own parent', () => {
    expect(parentPath('/')).toBe('/');
    expect(parentPath('~/')).toBe('~/');
  });

  it('joins with one slash', () => {
    expect(joinPath('/a/', 'b')).toBe('/a/b');
    expect(joinPath('/a', 'b')).toBe('/a/b');
    expect(asDirectory('/a')).toBe('/a/');
  });

  it('maps collection paths to Jupyter paths and back', () => {
    expect(toLocalPath('/srv/lab/', '/srv/lab/data/x.csv')).toBe('data/x.csv');
    expect(toLocalPath('/srv/lab', '/srv/lab/')).toBe('');
    expect(toLocalPath('/srv/lab/', '/srv/lab/data/')).toBe('data');
    expect(fromLocalPath('/srv/lab/', 'data/x.csv')).toBe(
      '/srv/lab/data/x.csv'
    );
    expect(fromLocalPath('/srv/lab', '')).toBe('/srv/lab/');
  });

  it('rejects paths outside the Jupyter root', () => {
    expect(() => toLocalPath('/srv/lab/', '/srv/other/x')).toThrow(
      /outside the Jupyter root/
    );
    expect(() => toLocalPath('/srv/lab/', '/srv/labx/y')).toThrow(/outside/);
  });
});

describe('untranslated', () => {
  it('fills numbered placeholders', async () => {
    const { untranslated } = await import('../signal');
    expect(untranslated.__('%1 of %2 files', 3, 5)).toBe('3 of 5 files');
    expect(untranslated.__('no %3 here', 1)).toBe('no %3 here');
  });
});
