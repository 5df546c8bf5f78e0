import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {SlugSizeCache, slugSizes} from '../../../../src/lib/heroku/slug-sizes.js'
import {lazyPlatformApi} from '../../../helpers/platform-api.js'

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

function cacheFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'slug-sizes-')), 'cache', 'slug-sizes.json')
}

function stored(path: string): Record<string, unknown> {
  return (JSON.parse(readFileSync(path, 'utf8')) as {sizes: Record<string, unknown>}).sizes
}

describe('heroku/slug-sizes', () => {
  const platform = lazyPlatformApi()

  it('asks the API once per slug id: the next run reads the sizes from the cache folder', async () => {
    const path = cacheFile()
    platform.api
    .get(`/apps/web/slugs/${id(1)}`).reply(200, {id: id(1), size: 1000})
    .get(`/apps/web/slugs/${id(2)}`).reply(200, {id: id(2), size: 2000})
    const first = new SlugSizeCache(path)
    expect(await slugSizes(platform.heroku, 'web', [id(1), id(2), id(1)], first)).to.deep.equal(new Map([[id(1), 1000], [id(2), 2000]]))
    await first.save()
    expect(stored(path)).to.deep.equal({[id(1)]: 1000, [id(2)]: 2000})
    expect(statSync(path).mode & 0o777).to.equal(0o600)
    expect(readdirSync(join(path, '..'))).to.deep.equal(['slug-sizes.json'])

    // No request is expected now: nock refuses any.
    const second = new SlugSizeCache(path)
    expect(await slugSizes(platform.heroku, 'web', [id(2), id(1)], second)).to.deep.equal(new Map([[id(1), 1000], [id(2), 2000]]))
  })

  it('leaves out a slug the API no longer has, and stops on any other failure', async () => {
    platform.api
    .get(`/apps/web/slugs/${id(1)}`).reply(404, {id: 'not_found', message: 'Couldn\'t find that slug.'})
    .get(`/apps/web/slugs/${id(2)}`).reply(500, {id: 'internal', message: 'boom'})
    const cache = new SlugSizeCache(cacheFile())
    expect(await slugSizes(platform.heroku, 'web', [id(1)], cache)).to.deep.equal(new Map())
    const error = await slugSizes(platform.heroku, 'web', [id(2)], cache).catch((error_: Error) => error_)
    expect((error as Error).message).to.equal(`The Heroku API answered HTTP 500 for slug ${id(2)}: boom`)
  })

  it('treats a tampered entry as a miss and keeps the others', async () => {
    const path = cacheFile()
    mkdirSync(join(path, '..'), {recursive: true})
    writeFileSync(path, JSON.stringify({
      format: 'heroku-slug-diet/slug-sizes',
      sizes: {[id(1)]: 1000, [id(2)]: '2000', [id(3)]: -5, [id(4)]: 1e300, 'not-a-slug-id': 7},
      version: 1,
    }))
    platform.api
    .get(`/apps/web/slugs/${id(2)}`).reply(200, {size: 2000})
    .get(`/apps/web/slugs/${id(3)}`).reply(200, {size: 3000})
    .get(`/apps/web/slugs/${id(4)}`).reply(200, {size: 4000})
    const cache = new SlugSizeCache(path)
    const sizes = await slugSizes(platform.heroku, 'web', [id(1), id(2), id(3), id(4)], cache)
    expect([...sizes.values()]).to.deep.equal([1000, 2000, 3000, 4000])
    await cache.save()
    expect(stored(path)).to.deep.equal({[id(1)]: 1000, [id(2)]: 2000, [id(3)]: 3000, [id(4)]: 4000})
  })

  for (const [what, make] of [
    ['not JSON', (path: string) => writeFileSync(path, '{"format": ')],
    ['another format', (path: string) => writeFileSync(path, JSON.stringify({format: 'other', sizes: {}, version: 1}))],
    ['a newer version', (path: string) => writeFileSync(path, JSON.stringify({format: 'heroku-slug-diet/slug-sizes', sizes: {}, version: 2}))],
    ['a directory', (path: string) => mkdirSync(path)],
    ['a FIFO', (path: string) => execFileSync('mkfifo', [path])],
    ['a link to /dev/zero', (path: string) => execFileSync('ln', ['-s', '/dev/zero', path])],
  ] as const) {
    it(`reads a cache file that is ${what} as empty, without waiting or failing, and writes a good one in its place`, async () => {
      const path = cacheFile()
      mkdirSync(join(path, '..'), {recursive: true})
      make(path)
      platform.api.get(`/apps/web/slugs/${id(1)}`).reply(200, {size: 1000})
      const cache = new SlugSizeCache(path)
      expect(await slugSizes(platform.heroku, 'web', [id(1)], cache)).to.deep.equal(new Map([[id(1), 1000]]))
      await cache.save()
      // A folder in its place is left alone (it may hold anything): that cache stays a miss.
      if (what === 'a directory') expect(statSync(path).isDirectory()).to.equal(true)
      else expect(stored(path)).to.deep.equal({[id(1)]: 1000})
    })
  }

  it('merges with what another run wrote meanwhile, and keeps the most recently used sizes', async () => {
    const path = cacheFile()
    const a = new SlugSizeCache(path, 3)
    const b = new SlugSizeCache(path, 3)
    a.set(id(1), 1)
    a.set(id(2), 2)
    await a.save()
    b.set(id(3), 3)
    b.set(id(4), 4)
    await b.save()
    // id(1) was used least recently: it goes.
    expect(stored(path)).to.deep.equal({[id(2)]: 2, [id(3)]: 3, [id(4)]: 4})
    const c = new SlugSizeCache(path, 3)
    expect(await c.get(id(2))).to.equal(2)
    c.set(id(5), 5)
    await c.save()
    expect(Object.keys(stored(path))).to.deep.equal([id(4), id(2), id(5)])
  })

  it('never stores what it would not read back, and a cache it cannot write costs nothing', async () => {
    const path = cacheFile()
    const cache = new SlugSizeCache(path)
    cache.set('not-a-slug-id', 5)
    cache.set(id(1), Number.NaN)
    await cache.save()
    expect(() => statSync(path)).to.throw(/ENOENT/)

    const blocked = join(mkdtempSync(join(tmpdir(), 'slug-sizes-')), 'file')
    writeFileSync(blocked, '')
    const unwritable = new SlugSizeCache(join(blocked, 'slug-sizes.json'))
    unwritable.set(id(1), 1)
    await unwritable.save()
  })
})
