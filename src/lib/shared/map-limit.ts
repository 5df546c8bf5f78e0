/**
 * Maps `items` through `fn` with at most `limit` calls in flight: a repo or a site-packages can hold
 * tens of thousands of files, and opening them all at once exhausts file descriptors; an account can hold
 * thousands of apps, and the API's rate limit counts every request. After a call fails no other starts, and
 * the failure is thrown once the calls in flight are done: nothing keeps running behind the caller's back.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = Array.from<R>({length: items.length})
  let next = 0
  let failure: undefined | {error: unknown}
  async function worker(): Promise<void> {
    while (!failure && next < items.length) {
      const i = next++
      try {
        results[i] = await fn(items[i], i)
      } catch (error) {
        failure ??= {error}
      }
    }
  }

  await Promise.all(Array.from({length: Math.min(limit, items.length)}, () => worker()))
  if (failure) throw failure.error
  return results
}
