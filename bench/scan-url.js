/**
 * Streams a slug from a URL into the scanner with one of two HTTP stacks, and prints its sha256:
 * `client` is the plugin's own blob client (scanSlugUrl), `undici` is node's HTTP stack (undici's
 * request(), a 'data' handler feeding the same SlugScanner). Same scan, same work: only the download differs.
 * Plain JavaScript over the built modules (dist/), so no TypeScript loader adds to the time or memory.
 * Usage: node bench/scan-url.js client|undici URL
 */
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

const [stack, url] = process.argv.slice(2)
if (!['client', 'undici'].includes(stack) || !url) {
  console.error('usage: node bench/scan-url.js client|undici URL')
  process.exit(2)
}

const built = path => import(pathToFileURL(join(resolve('.'), 'dist/lib', path)).href)
let result
if (stack === 'client') {
  const {scanSlugUrl} = await built('source/slug-reader.js')
  result = await scanSlugUrl({url})
} else {
  const {SlugScanner} = await built('scan/scanner.js')
  const {request} = await import('undici')
  const scanner = new SlugScanner()
  const {body, statusCode} = await request(url)
  if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`)
  await new Promise((resolve_, reject) => {
    body.on('data', chunk => scanner.write(chunk))
    body.on('end', resolve_)
    body.on('error', reject)
  })
  result = scanner.end()
}

process.stdout.write(`${result.sha256} ${result.entries.length}\n`)
