/**
 * `npm run bench`: slug:inspect (with --no-cache: the scan itself is measured, not the scan cache of
 * bench:network) against the tools a user would otherwise reach for, on synthetic
 * TensorFlow slugs at scale 1 (~500 MB) and 2 (~1 GB), runs interleaved so load drifts hit every
 * command alike. Medians of wall time, CPU time and peak RSS go to bench/RESULTS.md.
 * Options: --runs N (5), --scales 1,2, --rates 0,100 (MB/s for the HTTP cases; 0 = loopback speed),
 * --bytes-only B (2; '' for none: also inspect a slug with the files of the first scale and its big files at scale B),
 * --root DIR (a built copy of the plugin to run, default `.`: lets a long run ignore rebuilds of the checkout).
 */
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {cachedSyntheticSlug, DEFAULT_SEED} from '../scripts/synthetic-slug.js'
import {hashFile} from '../src/lib/plan/offload/objects.js'
import {formatBytes} from '../src/lib/shared/bytes.js'
import {type BenchSlug, serveApi} from './lib/api.js'
import {linkedHerokuCli} from './lib/heroku-cli.js'
import {checkGnuTime, measure, median, type Sample, sequence, WORK} from './lib/measure.js'
import {machine, writeSection} from './lib/results.js'
import {serveFiles} from './lib/server.js'

interface Case {
  name: string
  run: () => Promise<Sample>
}

const {values} = parseArgs({
  options: {
    'bytes-only': {default: '2', type: 'string'},
    rates: {default: '0,100', type: 'string'},
    root: {default: '.', type: 'string'},
    runs: {default: '5', type: 'string'},
    scales: {default: '1,2', type: 'string'},
    seed: {default: DEFAULT_SEED, type: 'string'},
  },
})
const runs = Number(values.runs)
const scales = values.scales.split(',').map(Number)
const rates = values.rates.split(',').map(Number)
const rateLabel = (rate: number) => (rate ? ` at ${rate} MB/s` : '')

checkGnuTime()
const run = join(values.root, 'bin/run.js')
if (!existsSync(join(values.root, 'dist/commands/slug/inspect.js'))) throw new Error(`${values.root}/dist is missing: run \`npm run build\` first (\`npm run bench\` does).`)
await mkdir(WORK, {recursive: true})

const started = new Date()
const machineText = machine()
const slugs: Record<string, {path: string; size: number; scale: number}> = {}
for (const scale of scales) {
  console.log(`slug at scale ${scale}...`)
  const slug = await cachedSyntheticSlug({dir: WORK, scale, seed: values.seed})
  console.log(`  ${slug.path}: ${formatBytes(slug.compressedBytes)}${slug.generated ? ' (generated)' : ' (cached)'}`)
  slugs[`s${scale}`] = {path: slug.path, scale, size: slug.compressedBytes}
}

// Memory follows the number of files, not the bytes: this slug has the first scale's files with bigger big files.
const bytesOnlyScale = values['bytes-only'] ? Number(values['bytes-only']) : undefined
const bytesOnly = bytesOnlyScale ? await cachedSyntheticSlug({bytesScale: bytesOnlyScale, dir: WORK, scale: scales[0], seed: values.seed}) : undefined
const bytesOnlyLabel = bytesOnly ? `slug:inspect --file --json, the files of scale ${scales[0]} with big files at scale ${bytesOnlyScale} (${formatBytes(bytesOnly.compressedBytes)})` : ''
if (bytesOnly) console.log(`  ${bytesOnly.path}: ${formatBytes(bytesOnly.compressedBytes)}${bytesOnly.generated ? ' (generated)' : ' (cached)'}`)

const server = await serveFiles(Object.fromEntries(Object.entries(slugs).map(([name, s]) => [name, s.path])))
const download = join(WORK, 'download.tgz')

// The whole command, `slug:inspect --app`, against a Platform API on 127.0.0.1 whose slug blob URLs
// are the file server's: one app per slug and rate. A throwaway HOME keeps the user's netrc out.
const appName = (name: string, rate: number) => `bench-${name}-${rate}`
const apps: Record<string, BenchSlug> = {}
for (const [name, slug] of Object.entries(slugs)) {
  const sha256 = await hashFile(slug.path)
  for (const rate of rates) apps[appName(name, rate)] = {sha256, size: slug.size, url: server.url(name, rate)}
}

const api = await serveApi(apps)
const home = await mkdtemp(join(tmpdir(), 'bench-home-'))
const apiEnv = ['env', `HOME=${home}`, `HEROKU_HOST=${api.url}`, 'HEROKU_API_KEY=bench-token']

// The same command inside the real heroku CLI, when scripts/e2e-setup.sh has installed it: what a user
// runs. A small slug shows the CLI's own floor (its hooks load their own telemetry libraries).
const heroku = await linkedHerokuCli(values.root)
const herokuLabel = heroku ? `heroku ${heroku.version.replace(/^heroku\//, '')} slug:inspect --file --json` : ''
const floorSlug = heroku ? await cachedSyntheticSlug({dir: WORK, scale: 0.02, seed: values.seed}) : undefined
const floorLabel = floorSlug ? `${herokuLabel}, ${formatBytes(floorSlug.compressedBytes)} slug (the CLI's own floor)` : ''

function casesFor(name: string, path: string): Case[] {
  const cases: Case[] = [
    {name: 'slug:inspect --file --json', run: () => measure(['node', run, 'slug:inspect', '--file', path, '--json', '--no-cache'])},
    {name: 'tar -tzvf', run: () => measure(['tar', '-tzvf', path])},
    {name: 'node gunzip to /dev/null', run: () => measure(['node', 'bench/gunzip.js', path])},
  ]
  for (const rate of rates) {
    const url = server.url(name, rate)
    cases.push(
      {name: `inspect from HTTP${rateLabel(rate)}`, run: () => measure(['node', 'bench/inspect-url.js', url, values.root])},
      {
        name: `slug:inspect --app --json${rateLabel(rate)}`,
        run: () => measure([...apiEnv, 'node', run, 'slug:inspect', '--app', appName(name, rate), '--json', '--no-cache']),
      },
      {
        name: `curl to file, then tar -tzvf${rateLabel(rate)}`,
        async run() {
          const fetched = await measure(['curl', '-sSf', '-o', download, url])
          const listed = await measure(['tar', '-tzvf', download])
          await rm(download, {force: true})
          return sequence(fetched, listed)
        },
      },
    )
  }

  if (heroku) cases.push({name: herokuLabel, run: () => measure(heroku.command(['slug:inspect', '--file', path, '--json', '--no-cache']))})
  return cases
}

const samples = new Map<string, Sample[]>()
const record = (key: string, sample: Sample) => samples.set(key, [...(samples.get(key) ?? []), sample])
try {
  for (let i = 0; i < runs; i++) {
    for (const [name, slug] of Object.entries(slugs)) {
      const cases = casesFor(name, slug.path)
      // Rotate the order every run, so no command always runs first or just after the heaviest one.
      const order = [...cases.slice(i % cases.length), ...cases.slice(0, i % cases.length)]
      for (const c of order) {
        const sample = await c.run()
        record(`${slug.scale}|${c.name}`, sample)
        console.log(`run ${i + 1}/${runs} scale ${slug.scale} ${c.name}: ${sample.wall.toFixed(2)} s wall, ${sample.cpu.toFixed(2)} s CPU, ${sample.rss.toFixed(0)} MB`)
      }
    }

    if (bytesOnly) record(`-|${bytesOnlyLabel}`, await measure(['node', run, 'slug:inspect', '--file', bytesOnly.path, '--json', '--no-cache']))
    if (heroku && floorSlug) record(`-|${floorLabel}`, await measure(heroku.command(['slug:inspect', '--file', floorSlug.path, '--json', '--no-cache'])))
  }
} finally {
  await server.close()
  await api.close()
  await heroku?.close()
  await rm(home, {force: true, recursive: true})
}

const med = (key: string, field: keyof Sample) => median((samples.get(key) ?? []).map(s => s[field]))
const rows: string[] = []
for (const key of samples.keys()) {
  const [scale, name] = key.split('|')
  const slug = Object.values(slugs).find(s => String(s.scale) === scale)
  rows.push(`| ${scale} | ${slug ? formatBytes(slug.size) : ''} | ${name} | ${med(key, 'wall').toFixed(2)} | ${med(key, 'cpu').toFixed(2)} | ${med(key, 'rss').toFixed(0)} |`)
}

const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a')
/** `name` against curl + tar -tzvf at each rate, wall (and CPU) medians. */
function vsCurl(scale: number, name: string): string {
  return rates.map(rate => {
    const a = `${scale}|${name}${rateLabel(rate)}`
    const b = `${scale}|curl to file, then tar -tzvf${rateLabel(rate)}`
    return `${rate ? `${rate} MB/s` : 'loopback'}: ${ratio(med(a, 'wall'), med(b, 'wall'))} (CPU ${ratio(med(a, 'cpu'), med(b, 'cpu'))})`
  }).join('; ')
}

const ratios: string[] = []
for (const scale of scales) {
  const inspect = `${scale}|slug:inspect --file --json`
  const tar = `${scale}|tar -tzvf`
  const local = `${ratio(med(inspect, 'wall'), med(tar, 'wall'))} (CPU ${ratio(med(inspect, 'cpu'), med(tar, 'cpu'))})`
  ratios.push(`| ${scale} | ${local} | ${med(inspect, 'rss').toFixed(0)} MB | ${vsCurl(scale, 'inspect from HTTP')} | ${vsCurl(scale, 'slug:inspect --app --json')} |`)
}

const [first, last] = [scales[0], scales.at(-1)!]
const flat = ratio(med(`${last}|slug:inspect --file --json`, 'rss'), med(`${first}|slug:inspect --file --json`, 'rss'))
const body = `## Speed and memory (\`npm run bench\`)

Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${runs} runs per command, interleaved (order rotated each run),
page cache warm. Wall time is measured around each process; CPU time (user + system, children included) and
peak RSS come from GNU time (\`/usr/bin/time -f '%U %S %M'\`). Slugs: \`scripts/synthetic-slug.ts\`, seed \`${values.seed}\`.

${machineText}
- load average when it ended: ${loadavg().map(l => l.toFixed(2)).join(', ')} (on ${cpus().length} cores: above ${cpus().length}, processes waited for a CPU and wall times stretch; CPU times do not)

| scale | slug (compressed) | command | wall median (s) | CPU median (s) | peak RSS median (MB) |
|---|---|---|---|---|---|
${rows.join('\n')}

| scale | inspect / \`tar -tzvf\`, wall (target <= 0.55) | inspect peak RSS (target <= 150 MB) | inspect from HTTP / (curl + \`tar -tzvf\`), wall (target <= 0.45) | the same for the whole \`slug:inspect --app\` |
|---|---|---|---|---|
${ratios.join('\n')}

Peak RSS of inspect at scale ${last} / scale ${first}: ${flat} (flat = close to 1).${bytesOnly ? ` Same files, bigger files (${bytesOnlyLabel.replace(/^[^,]+, /, '')}): ${ratio(med(`-|${bytesOnlyLabel}`, 'rss'), med(`${first}|slug:inspect --file --json`, 'rss'))}.` : ''}

Notes:
- "inspect from HTTP" is \`bench/inspect-url.js\`: \`scanSlugUrl\` + \`reportFromScan\` from dist/ (what \`slug:inspect --app\`
  runs once it has the blob URL), serialised like \`--json\`. "slug:inspect --app --json" is the whole command against a
  Platform API on 127.0.0.1 (\`bench/lib/api.ts\`: app, releases, builds, slug) whose blob URL is the same file server: it
  also loads @heroku-cli/command's API client (with its credential manager and Sentry) and makes four API requests.
- Rows starting "heroku" run the real heroku CLI (installed by \`scripts/e2e-setup.sh\`) with the plugin linked, in a
  throwaway HOME, its telemetry switched off (\`DISABLE_TELEMETRY=true\`; there is no network here). The small-slug row is
  the CLI's own floor: its hooks run around every command, whatever plugin it comes from.
- "curl to file, then tar -tzvf" adds the two commands' times; its RSS is the larger of the two.
- HTTP rows at a rate are paced by the local server (a real blob URL streams from S3 at tens to hundreds of MB/s);
  at loopback speed the download is nearly free, which favours curl + tar.
- \`tar -tzvf\` runs \`gzip -d\` as a child; its CPU time is included.
`
await writeFile(join(WORK, 'results.json'), JSON.stringify({machine: machineText, samples: Object.fromEntries(samples), slugs, started}, null, 2))
await writeSection('speed', body)
console.log(`\n${rows.join('\n')}\n\n${ratios.join('\n')}\nwritten to bench/RESULTS.md`)
