import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {isNodeFallback, type NodeDependencies, predictNodeModules} from '../../src/lib/predict/node/predict.js'

/**
 * The prediction against real installs: for each app, its lock file is written by the real package manager, then
 * installed for production as the buildpack leaves it (npm ci --omit=dev, yarn install --production), and
 * node_modules is measured (bytes of its files, and its tar gzipped at level 6 as the slug compiler does). The
 * prediction, from the same lock and the registry the machine's npm reads, must come within 10% of both.
 * Locks and installs are kept in .cache/node-predict (delete it to start again): reruns take seconds.
 */
const CACHE = resolve('.cache/node-predict')
const TOLERANCE = 0.1

interface App {
  name: string
  manager: 'npm' | 'pnpm' | 'yarn'
  packageJson: Record<string, unknown>
}

const APPS: App[] = [
  {
    manager: 'npm',
    name: 'express',
    packageJson: {dependencies: {express: '^4.21.2', 'express-session': '^1.18.1', helmet: '^8.0.0'}, devDependencies: {nodemon: '^3.1.9'}, engines: {node: '22.x'}},
  },
  {
    manager: 'npm',
    name: 'nextjs',
    packageJson: {
      dependencies: {next: '^15.5.0', react: '^19.1.0', 'react-dom': '^19.1.0'},
      devDependencies: {'@types/react': '^19.1.0', typescript: '^5.9.2'},
      engines: {node: '24.x'},
    },
  },
  {
    manager: 'npm',
    name: 'sharp',
    packageJson: {dependencies: {express: '^4.21.2', sharp: '^0.34.3'}, devDependencies: {typescript: '^5.9.2'}},
  },
  {
    manager: 'yarn',
    name: 'fastify-yarn',
    packageJson: {dependencies: {fastify: '^5.2.0', pino: '^9.6.0'}, devDependencies: {'pino-pretty': '^13.0.0', typescript: '^5.9.2'}},
  },
  {
    manager: 'pnpm',
    name: 'koa-pnpm',
    packageJson: {dependencies: {'@koa/router': '^13.1.0', koa: '^2.15.3', zod: '^3.24.1'}, devDependencies: {typescript: '^5.9.2', vitest: '^3.0.0'}},
  },
]

const LOCKS = {npm: 'package-lock.json', pnpm: 'pnpm-lock.yaml', yarn: 'yarn.lock'} as const
const YARN = 'npx -y yarn@1.22.22'
const PNPM = 'npx -y pnpm@9.15.9'
/** How each manager writes the lock, and installs from it as the buildpack leaves node_modules (devDependencies pruned). */
const COMMANDS = {
  npm: {install: 'npm ci --omit=dev --ignore-scripts --no-audit --no-fund', lock: 'npm install --package-lock-only --ignore-scripts --no-audit --no-fund'},
  pnpm: {install: `${PNPM} install --frozen-lockfile --prod --ignore-scripts`, lock: `${PNPM} install --lockfile-only --ignore-scripts`},
  yarn: {
    install: `${YARN} install --frozen-lockfile --production --ignore-scripts --ignore-engines --non-interactive --no-progress`,
    lock: `${YARN} install --ignore-scripts --ignore-engines --non-interactive --no-progress && rm -rf node_modules`,
  },
} as const

const sh = (cwd: string, command: string): string => execFileSync('bash', ['-c', command], {cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe']})

/** Bytes of the regular files under `dir` (symlinks and folders weigh nothing in a slug's file count). */
function fileBytes(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, {recursive: true, withFileTypes: true})) {
    if (entry.isFile()) total += lstatSync(join(entry.parentPath, entry.name)).size
  }

  return total
}

interface Measured {
  unpacked: number
  compressed: number
}

/** The app's lock (written by its package manager) and its production node_modules, measured; kept in the cache. */
function installed(app: App): {dir: string; measured: Measured} {
  const dir = join(CACHE, app.name)
  const lock = LOCKS[app.manager]
  const measuredFile = join(dir, 'measured.json')
  const manifest = JSON.stringify({name: `node-predict-${app.name}`, private: true, version: '1.0.0', ...app.packageJson}, null, 2)
  const source = join(dir, 'source')
  if (existsSync(measuredFile) && readFileSync(join(source, 'package.json'), 'utf8') === manifest) {
    return {dir: source, measured: JSON.parse(readFileSync(measuredFile, 'utf8')) as Measured}
  }

  rmSync(dir, {force: true, recursive: true})
  mkdirSync(source, {recursive: true})
  writeFileSync(join(source, 'package.json'), manifest)
  sh(source, COMMANDS[app.manager].lock)

  const install = join(dir, 'install')
  mkdirSync(install)
  writeFileSync(join(install, 'package.json'), manifest)
  writeFileSync(join(install, lock), readFileSync(join(source, lock)))
  // As the buildpack leaves it: dependencies installed, devDependencies pruned. Install scripts are skipped (none
  // of these apps' packages downloads anything into node_modules).
  sh(install, COMMANDS[app.manager].install)
  const measured = {
    compressed: Number(sh(install, 'tar -cf - node_modules | gzip -6 | wc -c').trim()),
    unpacked: fileBytes(join(install, 'node_modules')),
  }
  writeFileSync(measuredFile, JSON.stringify(measured))
  rmSync(install, {force: true, recursive: true})
  return {dir: source, measured}
}

const within = (predicted: number, real: number): number => Math.abs(predicted - real) / real
const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`.padStart(9)
const pct = (predicted: number, real: number): string => `${(((predicted - real) / real) * 100).toFixed(1)}%`.padStart(6)

describe('node_modules predicted from the lock file, against a real production install', () => {
  const rows: string[] = []

  after(() => {
    // The table the README's accuracy figures come from.
    console.log(['', '  app            real unpacked  predicted  error   real gzip  predicted  error', ...rows].join('\n'))
  })

  for (const app of APPS) {
    it(`${app.name} (${app.manager}): within ${TOLERANCE * 100}% of the real node_modules, unpacked and gzipped`, async () => {
      const {dir, measured} = installed(app)
      const tracked = new Set(readdirSync(dir))
      const result = await predictNodeModules(dir, tracked, {cacheDir: CACHE})
      if (!result || isNodeFallback(result)) throw new Error(`no prediction: ${JSON.stringify(result)}`)
      const packages = (result as NodeDependencies).packages.filter(p => p.ecosystem === 'node')
      const predicted = {compressed: packages.reduce((s, p) => s + p.compressed, 0), unpacked: packages.reduce((s, p) => s + p.size, 0)}
      rows.push(`  ${app.name.padEnd(14)} ${mb(measured.unpacked)}     ${mb(predicted.unpacked)} ${pct(predicted.unpacked, measured.unpacked)}  ${mb(measured.compressed)} ${mb(predicted.compressed)} ${pct(predicted.compressed, measured.compressed)}`)
      expect(within(predicted.unpacked, measured.unpacked), `unpacked: predicted ${predicted.unpacked}, real ${measured.unpacked}`).to.be.below(TOLERANCE)
      expect(within(predicted.compressed, measured.compressed), `gzipped: predicted ${predicted.compressed}, real ${measured.compressed}`).to.be.below(TOLERANCE)
    })
  }
})
