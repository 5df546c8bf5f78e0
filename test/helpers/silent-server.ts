import {type AddressInfo, createServer, type Socket} from 'node:net'

export interface SilentServer {
  endpoint: string
  /** connections accepted so far */
  connections: number
  stop(): Promise<void>
}

/**
 * A TCP server on 127.0.0.1 that accepts every connection, reads what it is sent and never answers:
 * the endpoint that hangs a client without timeouts for good.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>()
  const server = createServer(socket => {
    state.connections++
    sockets.add(socket)
    socket.resume()
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  const state: SilentServer = {
    connections: 0,
    endpoint: '',
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise(resolve => {
        server.close(resolve)
      })
    },
  }
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}
