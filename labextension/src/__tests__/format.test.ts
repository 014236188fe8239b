import { describe, expect, it } from 'vitest';

import { formatBytes, formatCount, formatModified } from '../format';

describe('formatBytes', () => {
  it('uses binary units like the command line', () => {
    expect(formatBytes(27_800)).toBe('27.1 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });

  it('shows plain bytes below 1 KiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });

  it('returns nothing for an unknown size', () => {
    expect(formatBytes(null)).toBe('');
    expect(formatBytes(undefined)).toBe('');
  });
});

describe('formatCount', () => {
  it('adds thousands separators', () => {
    expect(formatCount(20000, 'en-US')).toBe('20,000');
    expect(formatCount(200, 'en-US')).toBe('200');
  });
});

describe('formatModified', () => {
  it('shortens a Globus timestamp to minutes', () => {
    expect(formatModified('2021-01-15 01:45:50+00:00')).toBe(
      '2021-01-15 01:45'
    );
  });
});
