import {expect} from 'chai'

import {mapLimit} from '../../../../src/lib/shared/map-limit.js'
import {rejection} from '../../../helpers/rejection.js'

const tick = () => new Promise(resolve => {
  setImmediate(resolve)
})

describe('util/map-limit', () => {
  it('maps in order with at most `limit` calls in flight', async () => {
    let inFlight = 0
    let most = 0
    const out = await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async n => {
      inFlight++
      most = Math.max(most, inFlight)
      await tick()
      inFlight--
      return n * 10
    })
    expect(out).to.deep.equal([10, 20, 30, 40, 50, 60, 70])
    expect(most).to.equal(3)
  })

  it('after a call fails, starts no other and rejects with that error once the calls in flight are done', async () => {
    const started: number[] = []
    let settled = 0
    const error = await rejection(mapLimit([1, 2, 3, 4, 5, 6], 2, async n => {
      started.push(n)
      await tick()
      if (n === 2) throw new Error('rate limited')
      await tick()
      settled++
      return n
    }))
    expect(error.message).to.equal('rate limited')
    // 1 was in flight when 2 failed: it finished before the rejection.
    expect(settled).to.equal(1)
    for (let i = 0; i < 10; i++) await tick()
    expect(started).to.deep.equal([1, 2])
  })
})
