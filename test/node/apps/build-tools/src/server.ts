import {createServer} from 'node:http'

const port = Number(process.env.PORT ?? 3000)
createServer((_req, res) => {
  res.setHeader('content-type', 'text/plain')
  res.end('built by esbuild\n')
}).listen(port, '127.0.0.1')
