/**
 * `npm run bench:network`: what users wait for once scanning is at zlib's speed, the network and the second
 * command on a slug. Against a Platform API and a blob server on 127.0.0.1 that paces each connection (as S3
 * serves one stream) and caps them all together, runs interleaved:
 * - `curl` downloading the blob alone, one stream (what a plain download costs);
 * - the whole `slug:inspect --app --json --no-cache` (parallel byte ranges, default connections) and with
 *   `--connections 1`;
 * - `slug:inspect --app --json` with an empty scan cache, then again with the cache it wrote.
 * Options: --runs N (3), --scale S (2: the 989 MB slug), --rate MB/s per connection (50), --cap MB/s in all (150).
 */
import {existsSync, readdirSync, statSync} from 'node:fs'
import {mkdir, mkdtemp, rm} from 'node:fs/promises'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {cachedSyntheticSlug, DEFAULT_SEED} from '../scripts/synthetic-slug.js'
import {hashFile} from '../src/lib/plan/offload/objects.js'
import {formatBytes} from '../src/lib/shared/bytes.js'
import {serveApi} from './lib/api.js'
import {checkGnuTime, measure, median, type Sample, WORK} from './lib/measure.js'
import {machine, writeSection} from './lib/results.js'
import {serveFiles} from './lib/server.js'

const {values} = parseArgs({
  options: {
    cap: {default: '150', type: 'string'},
    rate: {default: '50', type: 'string'},
    root: {default: '.', type: 'string'},
    runs: {default: '3', type: 'string'},
    scale: {default: '2', type: 'string'},
  },
})
const runs = Number(values.runs)
const pace = {cap: Number(values.cap), rate: Number(values.rate)}
checkGnuTime()
const run = join(values.root, 'bin/run.js')
if (!existsSync(join(values.root, 'dist/commands/slug/inspect.js'))) throw new Error(`${values.root}/dist is missing: run \`npm run build\` first (\`npm run bench:network\` does).`)
await mkdir(WORK, {recursive: true})

const started = new Date()
const slug = await cachedSyntheticSlug({dir: WORK, scale: Number(values.scale), seed: DEFAULT_SEED})
console.log(`${slug.path}: ${formatBytes(slug.compressedBytes)}${slug.generated ? ' (generated)' : ' (cached)'}`)
const server = await serveFiles({slug: slug.path})
const url = server.url('slug', pace)
const api = await serveApi({'bench-net': {sha256: await hashFile(slug.path), size: slug.compressedBytes, url}})
const home = await mkdtemp(join(tmpdir(), 'bench-home-'))
const cacheDir = join(home, 'cache')
const env = ['env', `HOME=${home}`, `HEROKU_HOST=${api.url}`, 'HEROKU_API_KEY=bench-token', `HEROKU_CACHE_DIR=${cacheDir}`]
const inspect = (...flags: string[]) => [...env, 'node', run, 'slug:inspect', '--app', 'bench-net', '--json', ...flags]

const samples = new Map<string, Sample[]>()
const record = (name: string, sample: Sample) => {
  samples.set(name, [...(samples.get(name) ?? []), sample])
  console.log(`${name}: ${sample.wall.toFixed(2)} s wall, ${sample.cpu.toFixed(2)} s CPU, ${sample.rss.toFixed(0)} MB`)
}

const CURL = 'curl, one stream, to /dev/null'
const RANGES = 'slug:inspect --app --json --no-cache (default --connections 4)'
const SINGLE = 'slug:inspect --app --json --no-cache --connections 1'
const FIRST = 'slug:inspect --app --json, empty scan cache'
const SECOND = 'slug:inspect --app --json, the same slug again (cached scan)'
let entryBytes = 0
try {
  const cases: Array<[string, () => Promise<void>]> = [
    [CURL, async () => record(CURL, await measure(['curl', '-sSf', '-o', '/dev/null', url]))],
    [RANGES, async () => record(RANGES, await measure(inspect('--no-cache')))],
    [SINGLE, async () => record(SINGLE, await measure(inspect('--no-cache', '--connections', '1')))],
    [FIRST, async () => {
      await rm(cacheDir, {force: true, recursive: true})
      record(FIRST, await measure(inspect()))
      const scans = join(cacheDir, 'heroku-slug-diet', 'scans')
      entryBytes = readdirSync(scans).reduce((n, name) => n + statSync(join(scans, name)).size, 0)
      record(SECOND, await measure(inspect()))
    }],
  ]
  for (let i = 0; i < runs; i++) {
    const order = [...cases.slice(i % cases.length), ...cases.slice(0, i % cases.length)]
    for (const [, go] of order) await go()
  }
} finally {
  await server.close()
  await api.close()
  await rm(home, {force: true, recursive: true})
}

const med = (name: string, field: keyof Sample) => median((samples.get(name) ?? []).map(s => s[field]))
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(3) : 'n/a')
const rows = [...samples.keys()].map(name => `| ${name} | ${med(name, 'wall').toFixed(2)} | ${med(name, 'cpu').toFixed(2)} | ${med(name, 'rss').toFixed(0)} |`)
const body = `## Network and the second command (\`npm run bench:network\`)

Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${runs} runs per command, interleaved. The slug
(${formatBytes(slug.compressedBytes)}, \`scripts/synthetic-slug.ts\` scale ${values.scale}) is served by \`bench/lib/server.ts\` on
127.0.0.1 with Range requests, each connection paced at ${pace.rate} MB/s (one S3 stream) and all of them together capped at
${pace.cap} MB/s; the Platform API is \`bench/lib/api.ts\`. Each \`slug:inspect\` is the whole command (\`bin/run.js\`), with
a throwaway HOME and HEROKU_CACHE_DIR.

${machine()}
- load average when it ended: ${loadavg().map(l => l.toFixed(2)).join(', ')} (on ${cpus().length} cores)

| command | wall median (s) | CPU median (s) | peak RSS median (MB) |
|---|---|---|---|
${rows.join('\n')}

| target | measured |
|---|---|
| \`slug:inspect -a\` / curl's single-stream download alone, wall (target <= 0.5) | ${ratio(med(RANGES, 'wall'), med(CURL, 'wall'))} (one connection: ${ratio(med(SINGLE, 'wall'), med(CURL, 'wall'))}) |
| peak RSS of \`slug:inspect -a\` with ranges (target <= 160 MB) | ${med(RANGES, 'rss').toFixed(0)} MB (one connection: ${med(SINGLE, 'rss').toFixed(0)} MB) |
| second \`slug:inspect -a\` / first, wall (target <= 0.05) | ${ratio(med(SECOND, 'wall'), med(FIRST, 'wall'))} |
| cache entry / slug size (target <= 2%) | ${formatBytes(entryBytes)} / ${formatBytes(slug.compressedBytes)} = ${((entryBytes / slug.compressedBytes) * 100).toFixed(2)}% |
`
await writeSection('network', body)
console.log(`\n${rows.join('\n')}\n\n${body.split('| target |')[1]}\nwritten to bench/RESULTS.md`)
