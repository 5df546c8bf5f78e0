/**
 * `npm run demo`: what the plugin does, with no Heroku account and no network. It builds the plugin
 * while it generates a synthetic TensorFlow app slug (the two run side by side: one is tsc, the other
 * gzip), then runs `./bin/run.js slug:inspect --file` on it. The slug is kept in .cache/demo and
 * reused by later runs.
 */
import {spawn} from 'node:child_process'

import {formatBytes} from '../src/lib/shared/bytes.js'
import {parseScriptArgs, positiveNumber, runScript} from './cli-args.js'
import {cachedSyntheticSlug} from './synthetic-slug.js'

/** ~310 MB compressed: over Heroku's 300 MB warning, and generated in ~15-25 s on 2 cores. */
const DEMO_SCALE = 0.62

interface Exit {
  code: number
  output: string
}

function run(command: string, args: string[], capture: boolean): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit'})
    let output = ''
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    child.on('error', reject)
    child.on('close', code => resolve({code: code ?? 1, output}))
  })
}

async function main(): Promise<void> {
  const args = parseScriptArgs(process.argv.slice(2), {scale: {default: String(DEMO_SCALE), type: 'string'}})
  if (args.help) {
    console.log(`usage: npm run demo [-- --scale S]   (S > 0; 1 is ~500 MB compressed; default ${DEMO_SCALE})`)
    return
  }

  const scale = positiveNumber('--scale', args.scale)

  const started = Date.now()
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`
  console.log(`Building the plugin and generating a synthetic TensorFlow app slug (scale ${scale})...`)
  const [build, slug] = await Promise.all([run('npm', ['run', '--silent', 'build'], true), cachedSyntheticSlug({dir: '.cache/demo', scale})])
  if (build.code !== 0) {
    console.error(build.output)
    console.error('npm run build failed: see above.')
    process.exit(build.code)
  }

  const how = slug.generated ? 'generated' : 'reused from an earlier run'
  console.log(`Slug ${slug.path}: ${formatBytes(slug.compressedBytes)} compressed, ${how} (${seconds()}).\n`)
  console.log(`$ ./bin/run.js slug:inspect --file ${slug.path}\n`)
  const inspect = await run('./bin/run.js', ['slug:inspect', '--file', slug.path], false)
  console.log(`\n(demo finished in ${seconds()})`)
  process.exit(inspect.code)
}

await runScript('demo', main)
