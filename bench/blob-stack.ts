/**
 * `node --import tsx bench/blob-stack.ts`: the slug download through the plugin's hand-written blob
 * client against node's own HTTP stack (undici's request(), stream() and dispatch()), all feeding the same scanner, from a
 * local HTTP server, runs interleaved. Medians of wall time and peak RSS go to bench/RESULTS.md: the
 * measured reason (or not) to keep src/lib/source/blob-client.ts.
 * Options: --runs N (5), --scale S (1), --rates 0,100 (MB/s; 0 = loopback speed), --slug PATH (a slug to use instead of the synthetic one).
 */
import {existsSync} from 'node:fs'
import {mkdir, stat} from 'node:fs/promises'
import {parseArgs} from 'node:util'

import {cachedSyntheticSlug, DEFAULT_SEED} from '../scripts/synthetic-slug.js'
import {formatBytes} from '../src/lib/shared/bytes.js'
import {checkGnuTime, measure, median, type Sample, WORK} from './lib/measure.js'
import {machine, writeSection} from './lib/results.js'
import {serveFiles} from './lib/server.js'

const {values} = parseArgs({
  options: {
    rates: {default: '0,100', type: 'string'},
    runs: {default: '5', type: 'string'},
    scale: {default: '1', type: 'string'},
    slug: {type: 'string'},
  },
})
checkGnuTime()
if (!existsSync('dist/lib/source/slug-reader.js')) throw new Error('dist is missing: run `npm run build` first.')
await mkdir(WORK, {recursive: true})
const slugPath = values.slug ?? (await cachedSyntheticSlug({dir: WORK, scale: Number(values.scale), seed: DEFAULT_SEED})).path
const {size} = await stat(slugPath)
const server = await serveFiles({'slug.tgz': slugPath})
const stacks = ['client', 'undici', 'undici-stream', 'undici-dispatch'] as const
const STACK_NAMES: Record<(typeof stacks)[number], string> = {
  client: 'hand-written client (scanSlugUrl)',
  undici: 'undici request(), \'data\' handler',
  'undici-dispatch': 'undici dispatch(), handler pausing while the scanner works',
  'undici-stream': 'undici stream() into a Writable',
}
const rates = values.rates.split(',').map(Number)
const samples = new Map<string, Sample[]>()
const machineText = machine()
try {
  for (let run = 0; run < Number(values.runs); run++) {
    for (const rate of rates) {
      for (const stack of stacks) {
        const sample = await measure(['node', 'bench/scan-url.js', stack, server.url('slug.tgz', rate)])
        const key = `${stack} ${rate}`
        samples.set(key, [...(samples.get(key) ?? []), sample])
        console.log(`run ${run + 1}: ${stack}${rate ? ` at ${rate} MB/s` : ''}: ${sample.wall.toFixed(2)} s, ${sample.rss.toFixed(0)} MB`)
      }
    }
  }
} finally {
  await server.close()
}

const rows = rates.flatMap(rate => stacks.map(stack => {
  const list = samples.get(`${stack} ${rate}`)!
  const name = STACK_NAMES[stack]
  const figures = [median(list.map(s => s.wall)).toFixed(2), median(list.map(s => s.cpu)).toFixed(2), median(list.map(s => s.rss)).toFixed(0)]
  return `| ${name} | ${rate ? `${rate} MB/s` : 'loopback'} | ${figures[0]} s | ${figures[1]} s | ${figures[2]} MB |`
}))
await writeSection('blob-stack', `## Slug download: the blob client against undici (\`node --import tsx bench/blob-stack.ts\`)

The same scan of a ${formatBytes(size)} slug streamed from a local HTTP server, the download done by
\`src/lib/source/blob-client.ts\` or by undici's \`request()\`, \`stream()\` or \`dispatch()\` (\`bench/scan-url.js\`); ${values.runs} interleaved runs, medians.

| download stack | rate | wall | CPU | peak RSS |
|---|---|---|---|---|
${rows.join('\n')}

${machineText}`)
console.log(rows.join('\n'))
