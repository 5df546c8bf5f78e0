import {expect} from 'chai'

import {listApps} from '../../../../src/lib/heroku/apps.js'
import {rejection} from '../../../helpers/rejection.js'
import {lazyPlatformApi} from '../../../helpers/platform-api.js'

const SDK = 'application/vnd.heroku+json; version=3.sdk'

const app = (name: string, slugSize: null | number = 1000) => ({generation: {name: 'cedar'}, name, slug_size: slugSize, stack: {name: 'heroku-24'}})

describe('heroku/apps: listApps', () => {
  const platform = lazyPlatformApi()

  it('pages through the whole list: asks for 1,000 by name and sends each Next-Range back until there is none', async () => {
    platform.api
    .get('/apps').matchHeader('range', 'name ..; max=1000').matchHeader('accept', SDK)
    .reply(206, [app('a1'), app('a2')], {'Next-Range': 'name ]a2..; max=1000'})
    .get('/apps').matchHeader('range', 'name ]a2..; max=1000')
    .reply(206, [app('b1'), app('b2')], {'Next-Range': 'name ]b2..; max=1000'})
    .get('/apps').matchHeader('range', 'name ]b2..; max=1000')
    .reply(200, [app('c1', null)])
    const pages: [number, number][] = []
    const apps = await listApps(platform.heroku, {kind: 'all'}, (count, page) => pages.push([count, page]))
    expect(apps.map(a => a.name)).to.deep.equal(['a1', 'a2', 'b1', 'b2', 'c1'])
    expect(apps.at(-1)?.slug_size).to.equal(null)
    expect(pages).to.deep.equal([[2, 1], [4, 2], [5, 3]])
  })

  it('lists a team\'s apps, or the account\'s own with personal', async () => {
    platform.api
    .get('/teams/acme%20co/apps').reply(200, [app('acme-web')])
    .get('/users/~/apps').reply(200, [app('mine')])
    expect((await listApps(platform.heroku, {kind: 'team', team: 'acme co'})).map(a => a.name)).to.deep.equal(['acme-web'])
    expect((await listApps(platform.heroku, {kind: 'personal'})).map(a => a.name)).to.deep.equal(['mine'])
  })

  it('keeps an app listed on two pages once (created or renamed while paging)', async () => {
    platform.api
    .get('/apps').reply(206, [app('a1'), app('a2')], {'Next-Range': 'name ]a1..; max=1000'})
    .get('/apps').reply(200, [app('a2'), app('a3')])
    expect((await listApps(platform.heroku, {kind: 'all'})).map(a => a.name)).to.deep.equal(['a1', 'a2', 'a3'])
  })

  it('waits out a short 429 on a later page and goes on from that page', async () => {
    platform.api
    .get('/apps').reply(206, [app('a1')], {'Next-Range': 'name ]a1..; max=1000'})
    .get('/apps').matchHeader('range', 'name ]a1..; max=1000')
    .reply(429, {id: 'rate_limit', message: 'Your account reached the API rate limit'}, {'Retry-After': '0'})
    .get('/apps').matchHeader('range', 'name ]a1..; max=1000')
    .reply(200, [app('b1')])
    expect((await listApps(platform.heroku, {kind: 'all'})).map(a => a.name)).to.deep.equal(['a1', 'b1'])
  })

  it('says when to run again when a 429 asks for a long wait', async () => {
    platform.api.get('/apps').reply(429, {id: 'rate_limit'}, {'Retry-After': '120'})
    const error = await rejection(listApps(platform.heroku, {kind: 'all'}))
    expect(error.message).to.match(/^The Heroku API rate limit is exhausted \(HTTP 429\)\. Run the command again in 2 min/)
  })

  it('a team the user is not in is a one-line error naming the team', async () => {
    platform.api.get('/teams/acme/apps').reply(403, {id: 'forbidden', message: 'You do not have access to the team acme.'})
    const error = await rejection(listApps(platform.heroku, {kind: 'team', team: 'acme'}))
    expect(error.message).to.equal('Access to the apps of team acme was refused: You do not have access to the team acme.')
  })

  it('refuses an answer that is not a list of apps', async () => {
    platform.api.get('/apps').reply(200, [{name: 42}])
    const error = await rejection(listApps(platform.heroku, {kind: 'all'}))
    expect(error.message).to.equal('The Heroku API answered GET /apps with something that is not an app list.')
  })

  it('stops when the API sends the same Next-Range again instead of looping', async () => {
    platform.api
    .get('/apps').reply(206, [app('a1')], {'Next-Range': 'name ]a1..; max=1000'})
    .get('/apps').reply(206, [app('a2')], {'Next-Range': 'name ]a1..; max=1000'})
    const error = await rejection(listApps(platform.heroku, {kind: 'all'}))
    expect(error.message).to.equal('The Heroku API answered GET /apps with the page "name ]a1..; max=1000" twice: stopped after 2 pages.')
  })
})
