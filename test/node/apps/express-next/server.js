const express = require('express')
const next = require('next')

const port = Number(process.env.PORT ?? 3000)
const app = next({dev: false, dir: __dirname})
const handle = app.getRequestHandler()

app.prepare().then(() => {
  const server = express()
  server.get('/health', (_req, res) => res.json({ok: true}))
  server.all('/{*path}', (req, res) => handle(req, res))
  server.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`))
})
