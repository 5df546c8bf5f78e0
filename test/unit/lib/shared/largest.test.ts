import {expect} from 'chai'

import {largest} from '../../../../src/lib/shared/largest.js'

const byValue = (a: {v: number; id: number}, b: {v: number; id: number}) => b.v - a.v

describe('largest', () => {
  it('gives what a full sort and slice give, ties in input order', () => {
    let seed = 11
    const items = Array.from({length: 2000}, (_, id) => {
      seed = ((seed * 48_271) + 1) % 2_147_483_647
      return {id, v: seed % 50}
    })
    for (const n of [0, 1, 20, 1999, 2000, 5000]) {
      expect(largest(items, n, byValue)).to.deep.equal([...items].sort(byValue).slice(0, Math.max(0, n)))
    }
  })

  it('takes any iterable and a negative count', () => {
    expect(largest(new Set([1, 2, 3]), 2, (a, b) => b - a)).to.deep.equal([3, 2])
    expect(largest([1, 2], -1, (a, b) => b - a)).to.deep.equal([])
  })
})
