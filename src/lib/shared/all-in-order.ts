/**
 * Like Promise.all, all at once, but when several fail the error thrown is the first in the list's
 * order, not the first in time: which message a user sees must not depend on which request was faster.
 */
export async function allInOrder<T extends readonly unknown[]>(promises: {readonly [K in keyof T]: Promise<T[K]>}): Promise<T> {
  const settled = await Promise.allSettled(promises)
  for (const result of settled) if (result.status === 'rejected') throw result.reason
  return settled.map(result => (result as PromiseFulfilledResult<unknown>).value) as unknown as T
}
