/**
 * `npm run bench:install`: what a user pays for the plugin. It is packed from a clean tree and published to a
 * local registry (verdaccio on 127.0.0.1, proxying npm's registry for the dependencies), then installed with
 * the real heroku CLI's `heroku plugins:install` into clean HOMEs: what the CLI downloads (npm's cache) and
 * writes (its data dir's node_modules; the CLI's own install is not counted), how long that takes, and
 * `slug:inspect --help` through the CLI. The yardstick, installed and run the same way in the same run, is a bare
 * oclif plugin: one command, and @oclif/core, which every oclif plugin depends on.
 */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {mkdir, rm, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {parseArgs} from 'node:util'

import {formatBytes} from '../src/lib/shared/bytes.js'
import {cleanTree, pack, type Packed} from '../test/helpers/clean-pack.js'
import {LocalRegistry} from '../test/helpers/local-registry.js'
import {HEROKU_BIN, HerokuCli} from '../test/e2e/heroku-cli.js'
import {installedTree} from './lib/install-tree.js'
import {checkGnuTime, measure, median, type Sample, WORK} from './lib/measure.js'
import {machine, writeSection} from './lib/results.js'

const PLUGIN = 'heroku-slug-diet'
const BARE = 'slug-diet-bench-bare'
const INSTALL_TIMEOUT_MS = 300_000

const {values} = parseArgs({options: {'help-runs': {default: '7', type: 'string'}, runs: {default: '3', type: 'string'}}})
const runs = Number(values.runs)
const helpRuns = Number(values['help-runs'])
checkGnuTime()

const work = resolve(WORK, 'install')
await rm(work, {force: true, recursive: true})
await mkdir(work, {recursive: true})

/** A published oclif plugin with one command and @oclif/core (the range the plugin asks for) as its only dependency. */
async function packBare(): Promise<Packed> {
  const dir = join(work, 'bare')
  await mkdir(join(dir, 'commands/bare'), {recursive: true})
  const core = (JSON.parse(readFileSync('package.json', 'utf8')) as {dependencies: Record<string, string>}).dependencies['@oclif/core']
  await writeFile(join(dir, 'package.json'), JSON.stringify({
    dependencies: {'@oclif/core': core},
    files: ['commands'],
    name: BARE,
    oclif: {bin: 'heroku', commands: './commands', topicSeparator: ' '},
    type: 'module',
    version: '1.0.0',
  }))
  await writeFile(join(dir, 'commands/bare/hello.js'), `import {Command, Flags} from '@oclif/core'
export default class Hello extends Command {
  static description = 'say hello'
  static flags = {name: Flags.string({description: 'who to greet'})}
  async run() { const {flags} = await this.parse(Hello); this.log('hello ' + (flags.name ?? 'world')) }
}
`)
  return pack(dir, work)
}

/** Runs an installed plugin's command with the @oclif/core it was installed with, outside the CLI: `node standalone.mjs ROOT ARGS`. */
const STANDALONE = `import {createRequire} from 'node:module'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
const [root] = process.argv.splice(2, 1)
const {execute} = await import(pathToFileURL(createRequire(join(root, 'package.json')).resolve('@oclif/core')).href)
await execute({dir: join(root, 'package.json')})
`

/** `heroku ARGS` in the CLI's clean environment, as a command line for measure(). */
function command(cli: HerokuCli, args: string[]): string[] {
  return ['env', '-i', ...Object.entries(cli.env()).map(([k, v]) => `${k}=${v}`), HEROKU_BIN, ...args]
}

const du = (path: string) => Number(execFileSync('du', ['-sk', path], {encoding: 'utf8'}).split('\t')[0]) * 1024
const registry = await LocalRegistry.start([PLUGIN, BARE])
const clis: HerokuCli[] = []
/** A CLI in a new HOME, as a user's before the install. */
async function freshCli(): Promise<HerokuCli> {
  const cli = await HerokuCli.fresh({HEROKU_NPM_REGISTRY: registry.url})
  clis.push(cli)
  // the first run's one-time notices (terms of service) are not part of an install
  await cli.run(['plugins'])
  return cli
}

try {
  const tree = join(work, 'tree')
  await cleanTree(tree)
  const plugin = await pack(tree, work)
  await registry.publish(plugin.tarball)
  await registry.publish((await packBare()).tarball)

  // Once each, not counted: the registry fetches every dependency from upstream, so the runs time the local registry.
  for (const name of [PLUGIN, BARE]) await (await freshCli()).run(['plugins:install', name], {timeoutMs: INSTALL_TIMEOUT_MS})

  const names = [PLUGIN, BARE]
  const installs = new Map<string, Sample[]>(names.map(n => [n, []]))
  const last = new Map<string, HerokuCli>()
  for (let i = 0; i < runs; i++) {
    for (const name of i % 2 ? [...names].reverse() : names) {
      const cli = await freshCli()
      installs.get(name)!.push(await measure(command(cli, ['plugins:install', name]), INSTALL_TIMEOUT_MS))
      await last.get(name)?.cleanup()
      last.set(name, cli)
    }
  }

  // Help through the CLI (what a user waits for), and the installed plugin alone under @oclif/core (what it adds).
  const standalone = join(work, 'standalone.mjs')
  await writeFile(standalone, STANDALONE)
  const installed = (name: string) => join(last.get(name)!.dataDir, 'node_modules', name)
  const helps = [
    {command: command(last.get(PLUGIN)!, ['slug:inspect', '--help']), name: 'heroku slug:inspect --help'},
    {command: command(last.get(BARE)!, ['bare:hello', '--help']), name: 'heroku bare:hello --help (bare plugin)'},
    {command: ['node', standalone, installed(PLUGIN), 'slug:inspect', '--help'], name: 'slug:inspect --help, the plugin alone'},
    {command: ['node', standalone, installed(BARE), 'bare:hello', '--help'], name: 'bare:hello --help, the bare plugin alone'},
  ]
  const helpSamples = new Map<string, Sample[]>(helps.map(h => [h.name, []]))
  for (let i = 0; i < helpRuns; i++) {
    for (const h of i % 2 ? [...helps].reverse() : helps) helpSamples.get(h.name)!.push(await measure(h.command))
  }

  const sizes = await Promise.all(names.map(async name => {
    const {home, dataDir} = last.get(name)!
    return {download: du(join(home, '.npm/_cacache')), tree: await installedTree(dataDir, name)}
  }))
  await writeSection('install', report(plugin, sizes, [...installs.values()], [...helpSamples.entries()]))
} finally {
  for (const cli of clis) await cli.cleanup()
  await registry.stop()
}

function row(name: string, s: Sample[]): {name: string; wall: number; cpu: number; rss: number} {
  return {cpu: median(s.map(x => x.cpu)), name, rss: median(s.map(x => x.rss)), wall: median(s.map(x => x.wall))}
}

function table(rows: ReturnType<typeof row>[]): string {
  return `| command | wall median (s) | CPU median (s) | peak RSS median (MB) |
|---|---|---|---|
${rows.map(r => `| ${r.name} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.rss.toFixed(0)} |`).join('\n')}`
}

function report(plugin: Packed, sizes: {download: number; tree: Awaited<ReturnType<typeof installedTree>>}[], installs: Sample[][], helps: [string, Sample[]][]): string {
  const [own, bare] = sizes
  const installRows = [row(`heroku plugins:install ${PLUGIN}`, installs[0]), row(`heroku plugins:install ${BARE} (bare plugin)`, installs[1])]
  const helpRows = helps.map(([name, s]) => row(name, s))
  const body = `## Install size and start-up (\`npm run bench:install\`)

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${runs} installs and ${helpRuns} help runs of each, interleaved,
with the real heroku CLI (\`heroku plugins:install\` from a local registry, each install into a new HOME: nothing in npm's
cache). The yardstick is a bare oclif plugin (one command, @oclif/core its only dependency), published and installed the same way.

${machine()}

- Published: ${plugin.files.length} files, tarball ${formatBytes(du(plugin.tarball))}.
- What the CLI downloads: ${formatBytes(own.download)} (npm's cache after the install; bare plugin ${formatBytes(bare.download)}).
- What it writes: ${formatBytes(own.tree.bytes)} in ${own.tree.packages} packages in its data dir's node_modules
  (bare plugin ${formatBytes(bare.tree.bytes)} in ${bare.tree.packages}). Plugins get a node_modules of their own: nothing is shared with
  the CLI's own dependencies, even where the CLI has the same package.
- What each dependency brings in on its own (what dropping it would save):

| dependency | MB | packages |
|---|---|---|
${own.tree.costs.filter(c => c.bytes >= 500_000).map(c => `| ${c.name} | ${(c.bytes / 1e6).toFixed(1)} | ${c.packages} |`).join('\n')}

${table(installRows)}

Install, plugin / bare plugin, wall: ${(installRows[0].wall / installRows[1].wall).toFixed(2)}.

${table(helpRows)}

\`slug:inspect --help\` / the bare plugin's command, wall: through the CLI ${(helpRows[0].wall / helpRows[1].wall).toFixed(2)} (both wait for the CLI's own
start-up and hooks); the plugins alone ${(helpRows[2].wall / helpRows[3].wall).toFixed(2)} (target <= 1.5). Help reads the plugin's manifest and loads
the command's module; it does not load @heroku-cli/command.
`
  console.log(body)
  return body
}
