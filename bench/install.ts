/**
 * `npm run bench:install`: what a user pays for the plugin. The installed size of the packed plugin
 * (`npm install --omit=dev` of the `npm pack` tarball, as `heroku plugins:install` does) and the time of
 * `slug:inspect --help` against a bare oclif command with one flag, interleaved in the same run.
 */
import {execFileSync} from 'node:child_process'
import {mkdir, rm, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {parseArgs} from 'node:util'

import {formatBytes} from '../src/lib/shared/bytes.js'
import {checkGnuTime, measure, median, type Sample, WORK} from './lib/measure.js'
import {machine, writeSection} from './lib/results.js'

const {values} = parseArgs({options: {runs: {default: '7', type: 'string'}}})
const runs = Number(values.runs)
checkGnuTime()

const work = resolve(WORK, 'install')
await rm(work, {force: true, recursive: true})
await mkdir(work, {recursive: true})

// The plugin as users get it.
const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {encoding: 'utf8'}).trim().split('\n').at(-1)!
const tarball = join(work, packed)
const files = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], {encoding: 'utf8'}))[0].files as {path: string}[]
const app = join(work, 'user')
await mkdir(app)
await writeFile(join(app, 'package.json'), JSON.stringify({name: 'install-size', private: true}))
execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--silent', tarball], {cwd: app, stdio: 'inherit'})
const du = (path: string) => Number(execFileSync('du', ['-sk', path], {encoding: 'utf8'}).split('\t')[0]) * 1024
const installed = du(join(app, 'node_modules'))
const own = du(join(app, 'node_modules/heroku-slug-diet'))

// A bare oclif CLI with one command, using the same @oclif/core: the floor for any oclif command's help.
const bare = join(work, 'bare')
await mkdir(join(bare, 'commands'), {recursive: true})
await writeFile(join(bare, 'package.json'), JSON.stringify({name: 'bare', oclif: {bin: 'bare', commands: './commands'}, type: 'module', version: '1.0.0'}))
await writeFile(join(bare, 'commands/hello.js'), `import {Command, Flags} from '${resolve('node_modules/@oclif/core/lib/index.js')}'
export default class Hello extends Command {
  static description = 'say hello'
  static flags = {name: Flags.string({description: 'who to greet'})}
  async run() { const {flags} = await this.parse(Hello); this.log('hello ' + (flags.name ?? 'world')) }
}
`)
await writeFile(join(bare, 'run.js'), `import {execute} from '${resolve('node_modules/@oclif/core/lib/index.js')}'
await execute({dir: import.meta.url})
`)

const cases: {name: string; command: string[]}[] = [
  {command: ['node', join(app, 'node_modules/heroku-slug-diet/bin/run.js'), 'slug:inspect', '--help'], name: 'slug:inspect --help (installed plugin)'},
  {command: ['node', join(bare, 'run.js'), 'hello', '--help'], name: 'bare oclif command --help'},
]
const samples = new Map<string, Sample[]>(cases.map(c => [c.name, []]))
for (let i = 0; i < runs; i++) {
  for (const c of i % 2 ? [...cases].reverse() : cases) samples.get(c.name)!.push(await measure(c.command))
}

const rows = cases.map(c => {
  const s = samples.get(c.name)!
  return {cpu: median(s.map(x => x.cpu)), name: c.name, rss: median(s.map(x => x.rss)), wall: median(s.map(x => x.wall))}
})
const [plugin, floor] = rows
const body = `## Install size and start-up (\`npm run bench:install\`)

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${runs} runs each, interleaved.

${machine()}

- Packed files: ${files.length}; tarball ${formatBytes(du(tarball))}.
- \`npm install --omit=dev\` of the tarball: ${formatBytes(installed)} of node_modules, of which the plugin itself is ${formatBytes(own)}
  (the rest is @oclif/core, @heroku-cli/command, @heroku/heroku-cli-util and their dependencies; inside the
  Heroku CLI most of them are shared with the CLI). The AWS SDK is among them but is only loaded by slug:offload-models.

| command | wall median (s) | CPU median (s) | peak RSS median (MB) |
|---|---|---|---|
${rows.map(r => `| ${r.name} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.rss.toFixed(0)} |`).join('\n')}

\`slug:inspect --help\` / bare oclif command, wall: ${(plugin.wall / floor.wall).toFixed(2)} (target <= 1.5). Help reads the
plugin's manifest and loads the command's module; it does not load @heroku-cli/command (its API client, credential manager
and Sentry): \`--app\` shows no git-remote default in help, and the command looks the app up only when it runs.
`
await writeSection('install', body)
console.log(body)
