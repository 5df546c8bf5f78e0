import type {ChangeSizes, Delta} from './changes.js'

export function delta(before: number, after: number): Delta {
  return {after, before, delta: after - before}
}

/**
 * Size and compressed share on both sides; a side that is missing counts as zero. Compressed shares
 * are estimates with fractions: whole bytes read better and are as precise.
 */
export function changeSizes(
  before?: {compressed: number; size: number},
  after?: {compressed: number; size: number},
): ChangeSizes {
  return {
    compressed: delta(Math.round(before?.compressed ?? 0), Math.round(after?.compressed ?? 0)),
    size: delta(before?.size ?? 0, after?.size ?? 0),
  }
}

/** Orders text by code point: paths sort the same everywhere, and far faster than localeCompare. */
export function byText(a: string, b: string): number {
  if (a === b) return 0
  return a < b ? -1 : 1
}

/** Biggest change first: absolute compressed delta (what the limit counts), then absolute size delta, then name. */
export function byBiggestChange<T extends ChangeSizes>(key: (row: T) => string): (a: T, b: T) => number {
  return (a, b) =>
    Math.abs(b.compressed.delta) - Math.abs(a.compressed.delta)
    || Math.abs(b.size.delta) - Math.abs(a.size.delta)
    || byText(key(a), key(b))
}

/** Added, removed, or which way the uncompressed size went; undefined when it did not move. */
export function sizeChange(before: undefined | {size: number}, after: undefined | {size: number}): 'added' | 'grew' | 'removed' | 'shrank' | undefined {
  if (!before) return 'added'
  if (!after) return 'removed'
  if (after.size > before.size) return 'grew'
  if (after.size < before.size) return 'shrank'
  return undefined
}
