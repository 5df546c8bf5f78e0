/**
 * Maps `items` through `fn` with at most `limit` calls in flight: a repo or a site-packages can hold
 * tens of thousands of files, and opening them all at once exhausts file descriptors.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = Array.from<R>({length: items.length})
  let next = 0
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i], i)
    }
  }

  await Promise.all(Array.from({length: Math.min(limit, items.length)}, () => worker()))
  return results
}
