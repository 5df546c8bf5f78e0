/**
 * The first `n` items in `compare`'s order, as `[...items].sort(compare).slice(0, n)` gives them, without
 * sorting them all: a slug's 50,000 files for a top-20 list. Sorting them all cost ~100 ms and ~12 MB of
 * garbage (the comparator's numbers) at the moment the report's memory peaks.
 */
export function largest<T>(items: Iterable<T>, n: number, compare: (a: T, b: T) => number): T[] {
  const kept: T[] = []
  if (n <= 0) return kept
  for (const item of items) {
    if (kept.length === n && compare(item, kept[n - 1]) >= 0) continue
    // Binary search for the first kept item that comes after this one: equal items keep their input order.
    let lo = 0
    let hi = kept.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compare(item, kept[mid]) < 0) hi = mid
      else lo = mid + 1
    }

    kept.splice(lo, 0, item)
    if (kept.length > n) kept.pop()
  }

  return kept
}
