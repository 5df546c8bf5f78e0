import {createServer, type IncomingMessage} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface StubApp {
  config: Record<string, string>
  addons: unknown[]
}

/** The part of the Platform API the offload uses, on 127.0.0.1, recording every config-var PATCH body. */
export interface HerokuApiStub {
  url: string
  apps: Map<string, StubApp>
  patches: Array<{app: string, body: Record<string, null | string>}>
  /** "METHOD path" of every request, in order */
  requests: string[]
  /** answer the next config-var PATCHes with 503, as a Platform API outage would */
  failPatches: number
  stop(): Promise<void>
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export async function startHerokuApi(): Promise<HerokuApiStub> {
  const stub: HerokuApiStub = {apps: new Map(), failPatches: 0, patches: [], requests: [], async stop() {}, url: ''}
  const server = createServer(async (req, res) => {
    const body = await readBody(req)
    stub.requests.push(`${req.method} ${req.url}`)
    const send = (status: number, data: unknown) => {
      res.writeHead(status, {'Content-Type': 'application/json'})
      res.end(JSON.stringify(data))
    }

    const m = /^\/apps\/([^/]+)\/(addons|config-vars)$/.exec(req.url ?? '')
    const app = m ? stub.apps.get(decodeURIComponent(m[1])) : undefined
    if (!m || !app) {
      send(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      return
    }

    if (m[2] === 'addons' && req.method === 'GET') {
      send(200, app.addons)
    } else if (req.method === 'GET') {
      send(200, app.config)
    } else if (req.method === 'PATCH' && stub.failPatches > 0) {
      stub.failPatches--
      send(503, {id: 'unavailable', message: 'The API is temporarily unavailable.'})
    } else if (req.method === 'PATCH') {
      const changes = JSON.parse(body) as Record<string, null | string>
      stub.patches.push({app: decodeURIComponent(m[1]), body: changes})
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) delete app.config[key]
        else app.config[key] = value
      }

      send(200, app.config)
    } else {
      send(405, {id: 'method_not_allowed', message: 'Method not allowed.'})
    }
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  stub.stop = async () => {
    server.closeAllConnections()
    await new Promise(resolve => {
      server.close(resolve)
    })
  }

  return stub
}
