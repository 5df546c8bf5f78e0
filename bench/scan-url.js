/**
 * Streams a slug from a URL into the scanner with one of several HTTP stacks, and prints its sha256:
 * `client` is the plugin's own blob client (scanSlugUrl); the others are undici, node's HTTP stack, each
 * feeding the same SlugScanner: `undici` its request() with a 'data' handler, `undici-stream` its stream()
 * into a Writable (backpressure through the Writable's callback), `undici-dispatch` its lowest-level API, a
 * dispatch handler that pauses the response while the scanner works and resumes it after. Same scan, same
 * work: only the download differs. Plain JavaScript over the built modules (dist/), so no TypeScript loader
 * adds to the time or memory.
 * Usage: node bench/scan-url.js client|undici|undici-stream|undici-dispatch URL
 */
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

const [stack, url] = process.argv.slice(2)
if (!['client', 'undici', 'undici-dispatch', 'undici-stream'].includes(stack) || !url) {
  console.error('usage: node bench/scan-url.js client|undici|undici-stream|undici-dispatch URL')
  process.exit(2)
}

const built = path => import(pathToFileURL(join(resolve('.'), 'dist/lib', path)).href)
let result
if (stack === 'client') {
  const {scanSlugUrl} = await built('source/slug-reader.js')
  result = await scanSlugUrl({url})
} else {
  const {SlugScanner} = await built('scan/scanner.js')
  const scanner = new SlugScanner()
  await download(await import('undici'), stack, url, scanner)
  result = scanner.end()
}

async function download(undici, how, target, scanner) {
  if (how === 'undici') {
    const {body, statusCode} = await undici.request(target)
    if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`)
    await new Promise((resolve_, reject) => {
      body.on('data', chunk => scanner.write(chunk))
      body.on('end', resolve_)
      body.on('error', reject)
    })
    return
  }

  if (how === 'undici-stream') {
    const {Writable} = await import('node:stream')
    await undici.stream(target, {method: 'GET'}, ({statusCode}) => {
      if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`)
      return new Writable({
        write(chunk, _encoding, callback) {
          scanner.write(chunk)
          callback()
        },
      })
    })
    return
  }

  const {origin, pathname, search} = new URL(target)
  const agent = new undici.Agent()
  await new Promise((resolve_, reject) => {
    agent.dispatch({method: 'GET', origin, path: pathname + search}, {
      onRequestStart() {},
      onResponseStart(_controller, statusCode) {
        if (statusCode !== 200) reject(new Error(`HTTP ${statusCode}`))
      },
      onResponseData(controller, chunk) {
        // The scanner inflates synchronously: the response is paused for as long as it works on a chunk.
        controller.pause()
        scanner.write(chunk)
        controller.resume()
      },
      onResponseEnd() {
        resolve_()
      },
      onResponseError(_controller, error) {
        reject(error)
      },
    })
  })
  await agent.close()
}

process.stdout.write(`${result.sha256} ${result.entries.length}\n`)
