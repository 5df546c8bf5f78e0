import {builtinModules} from 'node:module'
import {posix} from 'node:path'

import type {PackageJson} from './package-json.js'

/*
 * What a Node.js app loads at run time, read from its sources without running them: the commands that start it
 * (Procfile, scripts.start, npm's default `node server.js`, package.json main), the files those commands run, and
 * the `require`/`import` specifiers those files hold, followed through relative imports. slug:diet's heroku-cleanup
 * never deletes a package found here. No JavaScript parser is a dependency of the plugin, so specifiers come from a
 * linear tokenizer (comments and strings skipped, no regular expression over the text): a string literal right after
 * `require(`, `import(`, `import` or `from`. A specifier that is not a literal (`require(name)`) makes the answer
 * incomplete, and the caller then keeps what it cannot prove unused.
 */

export interface AppSources {
  /** the app's package.json */
  app: PackageJson
  /** the Procfile's text, when there is one */
  procfile?: string
  /** the app's own files, by path relative to its root */
  texts: Record<string, string>
  /** installed packages' package.json, by package name (top-level node_modules) */
  installed: ReadonlyMap<string, PackageJson>
}

export interface RuntimeRequires {
  /** packages the app's code or start commands load, with the non-optional dependencies they pull in */
  packages: Set<string>
  /** entry files the sources do not have (a build writes them): what they load is unknown */
  unresolved: string[]
  /** files with a `require`/`import` of a computed name */
  dynamic: string[]
  /** the start commands read */
  commands: string[]
  /** node runs with --enable-source-maps (a command or NODE_OPTIONS in a command) */
  sourceMaps: boolean
}

const BUILTINS = new Set(builtinModules)
const EXTENSIONS = ['', '.js', '.cjs', '.mjs', '.ts', '.cts', '.mts', '.jsx', '.tsx', '.json', '/index.js', '/index.cjs', '/index.mjs', '/index.ts']

/** The package a bare specifier names (`@scope/x/sub` -> `@scope/x`), undefined for builtins and relative paths. */
export function packageOfSpecifier(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || specifier.startsWith('#')) return undefined
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
  return BUILTINS.has(name) ? undefined : name
}

const isIdentifierChar = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '$'

/** The end (exclusive) of a string literal starting at `start` (the quote), escapes honoured; stops at a newline for ' and ". */
function stringEnd(text: string, start: number): number {
  const quote = text[start]
  let i = start + 1
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\\') i++
    else if (quote !== '`' && text[i] === '\n') return i
    i++
  }

  return i + 1
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r'
const isQuote = (c: string | undefined): boolean => c === '"' || c === "'" || c === '`'
/** A string right after `require(` / `import(`, or after `from` / a bare `import`, names a module. */
const loadsString = (word: string, call: boolean): boolean => (call ? word === 'require' || word === 'import' : word === 'from' || word === 'import')

/** Where the comment starting at `i` ends (the end of its line, or after its `*\/`); undefined when none starts there. */
function commentEnd(text: string, i: number): number | undefined {
  if (text[i] !== '/') return undefined
  if (text[i + 1] === '/') {
    const end = text.indexOf('\n', i)
    return end === -1 ? text.length : end
  }

  if (text[i + 1] !== '*') return undefined
  const end = text.indexOf('*/', i + 2)
  return end === -1 ? text.length : end + 2
}

/**
 * The module specifiers a JavaScript or TypeScript file loads, and whether it loads a computed one. Linear in the
 * text: each character is looked at a bounded number of times.
 */
export function moduleSpecifiers(text: string): {specifiers: string[]; dynamic: boolean} {
  const specifiers: string[] = []
  let dynamic = false
  // the last identifier and whether a `(` followed it: `require(` / `import(`; `import` / `from` alone
  let word = ''
  let call = false
  let i = 0
  while (i < text.length) {
    const c = text[i]
    const comment = commentEnd(text, i)
    if (comment !== undefined) {
      i = comment
      continue
    }

    if (isQuote(c)) {
      const end = stringEnd(text, i)
      if (loadsString(word, call) && (c !== '`' || !text.slice(i, end).includes('${'))) specifiers.push(text.slice(i + 1, end - 1))
      word = ''
      call = false
      i = end
      continue
    }

    if (isIdentifierChar(c)) {
      const start = i
      while (i < text.length && isIdentifierChar(text[i])) i++
      // `x.require(` is a method, not the module loader
      word = text[start - 1] === '.' ? '' : text.slice(start, i)
      call = false
      continue
    }

    if (c === '(' && (word === 'require' || word === 'import') && !call) {
      call = true
      i++
      // a computed specifier: the next significant character is no quote
      let j = i
      while (j < text.length && isSpace(text[j])) j++
      if (!isQuote(text[j]) && text[j] !== ')') dynamic = true
      continue
    }

    if (!isSpace(c)) {
      // `import {a} from 'x'`: braces, names and commas come between import and from; `from` alone starts again
      if (c !== '{' && c !== '}' && c !== ',' && c !== '*') word = ''
      call = false
    }

    i++
  }

  return {dynamic, specifiers}
}

/** Words of a shell command line, split on whitespace and the operators that chain commands. */
function commandWords(line: string): string[][] {
  const commands: string[][] = [[]]
  for (const raw of line.split(/\s+/)) {
    if (raw === '') continue
    if (raw === '&&' || raw === '||' || raw === ';' || raw === '|') {
      commands.push([])
      continue
    }

    commands.at(-1)!.push(raw.replaceAll(/^["']|["']$/g, ''))
  }

  return commands.filter(c => c.length > 0)
}

/** The Procfile's commands (every process type), else scripts.start, else npm's default for `npm start`. */
export function startCommands(sources: Pick<AppSources, 'app' | 'procfile'>): string[] {
  const commands: string[] = []
  for (const line of (sources.procfile ?? '').split('\n')) {
    const colon = line.indexOf(':')
    if (colon > 0 && /^[\w-]+$/.test(line.slice(0, colon).trim())) commands.push(line.slice(colon + 1).trim())
  }

  if (commands.length === 0) commands.push(sources.app.scripts?.start ?? 'node server.js')
  return commands
}

interface Walk {
  sources: AppSources
  packages: Set<string>
  files: Set<string>
  result: RuntimeRequires
  /** npm scripts already expanded: a script calling itself stops here */
  scripts: Set<string>
}

function resolveFile(texts: Record<string, string>, from: string, specifier: string): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier))
  for (const extension of EXTENSIONS) if (texts[base + extension] !== undefined) return base + extension
  // TypeScript's ESM convention: `./x.js` written for `./x.ts`
  const ts = base.replace(/\.(c|m)?js$/, '.$1ts')
  return texts[ts] === undefined ? undefined : ts
}

function walkFile(walk: Walk, path: string): void {
  if (walk.files.has(path)) return
  walk.files.add(path)
  const text = walk.sources.texts[path]
  if (text === undefined) {
    walk.result.unresolved.push(path)
    return
  }

  const {dynamic, specifiers} = moduleSpecifiers(text)
  if (dynamic) walk.result.dynamic.push(path)
  for (const specifier of specifiers) {
    const name = packageOfSpecifier(specifier)
    if (name !== undefined) walk.packages.add(name)
    else if (specifier.startsWith('.')) {
      const file = resolveFile(walk.sources.texts, path, specifier)
      if (file) walkFile(walk, file)
    }
  }
}

function binOwners(installed: ReadonlyMap<string, PackageJson>): Map<string, string> {
  const owners = new Map<string, string>()
  for (const [name, pkg] of installed) {
    if (typeof pkg.bin === 'string') owners.set(name.split('/').at(-1)!, name)
    else for (const bin of Object.keys(pkg.bin ?? {})) owners.set(bin, name)
  }

  return owners
}

function walkCommand(walk: Walk, line: string, bins: Map<string, string>): void {
  if (line.includes('--enable-source-maps')) walk.result.sourceMaps = true
  for (let words of commandWords(line)) {
    while (words.length > 0 && /^\w+=/.test(words[0])) words = words.slice(1)
    const [program, ...args] = words
    if (program === undefined) continue
    if (PACKAGE_MANAGERS.has(program) && args.length > 0) {
      walkScript(walk, args, bins)
      continue
    }

    const tool = program === 'npx' ? args[0] : program
    if (NODE_RUNNERS.has(program)) walkNodeArgs(walk, args)
    else if (tool !== undefined && bins.has(tool)) {
      walk.packages.add(bins.get(tool)!)
      // `next start`, `nuxt start`, `pm2 start`: the package loads the app's files its own way (a Next.js API
      // route may launch Puppeteer), which this walk does not follow
      walk.result.unresolved.push(`${tool} (a command of ${bins.get(tool)}: what it loads from the app is not read)`)
    }
  }
}

const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn'])
const NODE_RUNNERS = new Set(['node', 'nodemon', 'ts-node', 'tsx'])
const PRELOAD_FLAGS = new Set(['--import', '--loader', '--require', '-r'])

/** `npm run x` / `yarn x`: the script's own command, once; `npm start` without a start script runs server.js. */
function walkScript(walk: Walk, args: string[], bins: Map<string, string>): void {
  const script = args[0] === 'run' || args[0] === 'run-script' ? args[1] : args[0]
  const text = script === undefined ? undefined : walk.sources.app.scripts?.[script]
  if (script !== undefined && text !== undefined && !walk.scripts.has(script)) {
    walk.scripts.add(script)
    walkCommand(walk, text, bins)
  } else if (script === 'start' && text === undefined) {
    walkFile(walk, 'server.js')
  }
}

/** `node -r pkg --import ./x.js server.js`: the preloaded packages or files, then the entry file. */
function walkNodeArgs(walk: Walk, args: string[]): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1
    const flag = equals === -1 ? arg : arg.slice(0, equals)
    if (PRELOAD_FLAGS.has(flag)) {
      // `--require x` or `--require=x`
      const value = equals === -1 ? args[++i] ?? '' : arg.slice(equals + 1)
      const name = packageOfSpecifier(value)
      if (name) walk.packages.add(name)
      else if (value) walkFile(walk, posix.normalize(value))
      continue
    }

    if (arg.startsWith('-')) continue
    walkFile(walk, posix.normalize(arg))
    break
  }
}

/** Adds the installed dependencies (not optional ones: platform binaries are loaded only where they fit) of each package. */
function withDependencies(packages: Set<string>, installed: ReadonlyMap<string, PackageJson>): Set<string> {
  const all = new Set(packages)
  const queue = [...packages]
  while (queue.length > 0) {
    const pkg = installed.get(queue.pop()!)
    const optional = new Set(Object.keys(pkg?.optionalDependencies ?? {}))
    for (const dep of Object.keys({...pkg?.dependencies, ...pkg?.peerDependencies})) {
      if (optional.has(dep) || all.has(dep) || !installed.has(dep)) continue
      all.add(dep)
      queue.push(dep)
    }
  }

  return all
}

/** What the app loads at run time: packages (with their dependencies), and what could not be read. */
export function runtimeRequires(sources: AppSources): RuntimeRequires {
  const commands = startCommands(sources)
  const result: RuntimeRequires = {commands, dynamic: [], packages: new Set(), sourceMaps: false, unresolved: []}
  const walk: Walk = {files: new Set(), packages: new Set(), result, scripts: new Set(), sources}
  const bins = binOwners(sources.installed)
  for (const command of commands) walkCommand(walk, command, bins)
  if (sources.app.main) walkFile(walk, posix.normalize(sources.app.main))
  result.packages = withDependencies(walk.packages, sources.installed)
  return result
}
