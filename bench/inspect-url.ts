/**
 * slug:inspect's pipeline on a slug served over HTTP: the blob download streamed into the scanner,
 * then the same analysis and JSON as `slug:inspect --json`. The bench points it at a local server,
 * since the command itself only takes Heroku apps (whose blob URLs need the Platform API) or files.
 * Usage: node --import tsx bench/inspect-url.ts URL > report.json
 */
import {reportFromScan} from '../src/lib/report/from-scan.js'
import {scanSlugUrl} from '../src/lib/slug/sources.js'

const url = process.argv[2]
// The bench times start-up alone (loading this file through tsx) to tell it apart from the work.
if (url === '--load-only') process.exit(0)
if (!url) {
  console.error('usage: node --import tsx bench/inspect-url.ts URL')
  process.exit(2)
}

const scan = await scanSlugUrl({url})
const report = reportFromScan(scan, {file: url}, {depth: 2, top: 20})
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
