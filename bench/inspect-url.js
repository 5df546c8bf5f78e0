/**
 * slug:inspect's pipeline on a slug served over HTTP: the blob download streamed into the scanner,
 * then the same analysis and JSON as `slug:inspect --json`. It is what `slug:inspect --app` runs once
 * the Platform API has given it the blob URL, without the API client. Plain JavaScript over the built
 * modules (dist/), like the command itself, so no TypeScript loader adds to its time or memory.
 * Usage: node bench/inspect-url.js URL [ROOT] > report.json   (ROOT: a built copy of the plugin, default .)
 */
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

const [url, root = '.'] = process.argv.slice(2)
if (!url) {
  console.error('usage: node bench/inspect-url.js URL [ROOT]')
  process.exit(2)
}

const built = path => import(pathToFileURL(join(resolve(root), 'dist/lib', path)).href)
const {scanSlugUrl} = await built('source/slug-reader.js')
const {reportFromScan} = await built('analyze/from-scan.js')
const scan = await scanSlugUrl({url})
const report = reportFromScan(scan, {file: url}, {depth: 2, top: 20})
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
