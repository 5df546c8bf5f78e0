import {randomUUID} from 'node:crypto'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

/** A slug the fake API hands out: its blob URL (the bench's file server), checksum and size. */
export interface BenchSlug {
  url: string
  sha256: string
  size: number
}

export interface BenchApi {
  /** for HEROKU_HOST: the plugin's API client sends its requests here */
  url: string
  close(): Promise<void>
}

/**
 * Just enough of the Platform API for `slug:inspect --app APP` on 127.0.0.1: the app, its releases
 * (one, current), its builds (none) and the slug, whose blob URL points at the bench's file server.
 * Each app name stands for one slug served at one rate.
 */
export async function serveApi(apps: Record<string, BenchSlug>): Promise<BenchApi> {
  const stack = {id: randomUUID(), name: 'heroku-24'}
  const slugIds = new Map(Object.keys(apps).map(name => [name, randomUUID()]))
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => res.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(body))
    const match = /^\/apps\/([^/]+)(\/releases|\/builds|\/slugs\/[^/]+)?$/.exec(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
    const name = match ? decodeURIComponent(match[1]) : ''
    const slug = apps[name]
    if (req.method !== 'GET' || !match || !slug) {
      send(404, {id: 'not_found', message: 'Couldn\'t find that app.'})
      return
    }

    const id = slugIds.get(name)!
    switch (match[2]?.split('/')[1]) {
    case 'builds': {
      send(200, [])
      break
    }

    case 'releases': {
      send(200, [{current: true, id: randomUUID(), slug: {id}, status: 'succeeded', version: 1}])
      break
    }

    case undefined: {
      send(200, {build_stack: stack, generation: {id: randomUUID(), name: 'cedar'}, id: randomUUID(), name, stack})
      break
    }

    default: {
      send(200, {blob: {method: 'get', url: slug.url}, checksum: `SHA256:${slug.sha256}`, commit: null, id, size: slug.size, stack})
    }
    }
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as AddressInfo
  return {
    close: () => new Promise(resolve => {
      server.close(() => resolve())
    }),
    url: `http://127.0.0.1:${port}`,
  }
}
