/**
 * Formats a byte count in binary units (`27.1 KiB`), plain bytes below 1 KiB,
 * as the command line and the magics show sizes.
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) {
    return '';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0
    ? `${Math.floor(value)} ${units[unit]}`
    : `${value.toFixed(1)} ${units[unit]}`;
}

/** Formats a count with thousands separators (`20,000` in English). */
export function formatCount(count: number, locale?: string): string {
  return count.toLocaleString(locale);
}

/**
 * Shortens a Globus timestamp such as `2021-01-15 01:45:50+00:00` to minutes
 * (`2021-01-15 01:45`); other text is returned unchanged.
 */
export function formatModified(value: string | null | undefined): string {
  if (!value) {
    return '';
  }
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})/.exec(value);
  return match ? `${match[1]} ${match[2]}` : value;
}
