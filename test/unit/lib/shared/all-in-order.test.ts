import {expect} from 'chai'
import {setTimeout as sleep} from 'node:timers/promises'

import {allInOrder} from '../../../../src/lib/shared/all-in-order.js'
import {rejection} from '../../../helpers/rejection.js'

describe('util/allInOrder', () => {
  it('resolves to every value, in order', async () => {
    expect(await allInOrder([Promise.resolve(1), sleep(5).then(() => 'two')])).to.deep.equal([1, 'two'])
  })

  it('throws the first failure in list order, even when a later one failed sooner', async () => {
    const slow = sleep(20).then(() => {
      throw new Error('app not found')
    })
    const fast = Promise.reject(new Error('no model files'))
    const error = await rejection(allInOrder([slow, fast]))
    expect((error as Error).message).to.equal('app not found')
  })
})
