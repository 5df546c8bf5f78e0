import {type DistRequirement, normalizePythonName, parseDistFolder, parseMetadata, recordPaths} from './python/dist-info.js'
import type {ScanResult} from '../scan/entries.js'
import {DIST_INFO_FILE, GEM_PATH, gemNameVersion, moduleStem, nodeNameVersion, RUBY_RUNTIME, recordedPath, RUNTIMES} from './package-layouts.js'
import {BUILDPACK_PYTHON_LIB, dirName, SITE_PACKAGES} from './paths.js'
import type {Ecosystem, PackageRow} from './rows.js'

/** "python:numpy": how FileRow.package and findings name a package. */
export function packageKey(row: Pick<PackageRow, 'ecosystem' | 'name'>): string {
  return `${row.ecosystem}:${row.name}`
}

/**
 * Maps every file of a slug to the installed package it belongs to, and sums each package's bytes.
 *
 * Python: a file listed in a `*.dist-info/RECORD` belongs to that distribution (RECORD paths are relative
 * to site-packages, scripts appear as `../../../bin/x`). A file no RECORD lists (a .pyc compiled later,
 * a package without RECORD) goes to the nearest folder that files of a single distribution live in,
 * then to a `top_level.txt` module, then to a package named after its top-level folder.
 * Node: the innermost `node_modules/<name>` or `node_modules/@scope/<name>` folder; Ruby: the gem folder.
 * Runtimes (.heroku/python outside site-packages, .heroku/node, vendor/ruby-*) are one package each.
 * Building the index reads each RECORD once; each lookup is O(path depth).
 */
export class PackageIndex {
  private readonly byFile = new Map<string, PackageRow>()
  /** folders holding files of one distribution only; null when several share it (namespace packages) */
  private readonly byFolder = new Map<string, null | PackageRow>()
  private readonly byModule = new Map<string, PackageRow>()
  /** every row, by location + key: the same package installed twice stays two rows */
  private readonly rows = new Map<string, PackageRow>()
  private readonly captured: Record<string, string>
  /** each Python distribution's dependencies (normalized names), from METADATA, leaving out extras */
  readonly requires = new Map<string, string[]>()
  /** each Python distribution's `Requires-Dist` entries with their extras and markers */
  readonly dependencies = new Map<string, DistRequirement[]>()
  private pythonRuntimeVersion?: {version?: string}
  /** node packages by folder: package.json is parsed once per package */
  private readonly nodeRows = new Map<string, PackageRow>()

  constructor(scan: Pick<ScanResult, 'captured'>) {
    this.captured = scan.captured
    const withRecord = new Set<string>()
    const distFiles: Array<{site: string; folder: string; stem: string; kind: string; file: string}> = []
    for (const path of Object.keys(scan.captured)) {
      const m = DIST_INFO_FILE.exec(path)
      if (m) distFiles.push({file: m[4], folder: `${m[2]}.${m[3]}`, kind: m[3], site: m[1], stem: m[2]})
    }

    // Two passes over the RECORDs: the first finds the folders that hold files of one distribution
    // only; the second keeps a per-file owner just for files outside them (site-packages' own root,
    // folders several distributions share, scripts in bin/). A file in a folder of one distribution
    // belongs to it whether its RECORD lists it or not, so a per-file map of every installed file
    // (~130 bytes each, 50,000 of them in a large slug) is not needed.
    // The RECORDs are read again for the second pass rather than kept as lists of paths: those lists
    // (a string per installed file) lived long enough to be promoted, and raised peak memory by ~10 MB.
    const records = distFiles.filter(d => d.file === 'RECORD').map(d => {
      withRecord.add(`${d.site}/${d.folder}`)
      return {row: this.distRow(d.site, d.folder, d.stem), site: d.site, text: scan.captured[`${d.site}/${d.folder}/RECORD`]}
    })
    for (const {row, site, text} of records) {
      let folder = ''
      for (const rel of recordPaths(text)) {
        const path = recordedPath(site, rel)
        if (path !== undefined) folder = this.ownFolders(site, path, row, folder)
      }
    }

    for (const {row, site, text} of records) {
      for (const rel of recordPaths(text)) {
        const path = recordedPath(site, rel)
        if (path !== undefined && !this.byFolder.get(dirName(path))) this.byFile.set(path, row)
      }
    }

    for (const d of distFiles) {
      if (d.file !== 'top_level.txt' || withRecord.has(`${d.site}/${d.folder}`)) continue
      const row = this.distRow(d.site, d.folder, d.stem)
      this.byFolder.set(`${d.site}/${d.folder}`, row)
      for (const module of scan.captured[`${d.site}/${d.folder}/top_level.txt`].split(/\r?\n/)) {
        const name = module.trim()
        if (name) this.byModule.set(`${d.site}/${name.replaceAll('\\', '/').split('/')[0]}`, row)
      }
    }
  }

  /** The package `path` (a file, relative to /app) belongs to, if any. */
  ownerOf(path: string): PackageRow | undefined {
    const recorded = this.byFolder.get(dirName(path)) ?? this.byFile.get(path)
    if (recorded) return recorded
    for (const runtime of RUNTIMES) {
      if (path.startsWith(runtime.prefix)) {
        if (runtime.name === 'python' && SITE_PACKAGES.test(path)) return this.pythonFallback(path)
        return this.runtimeRow(runtime.prefix.slice(0, -1), runtime.name)
      }
    }

    if (SITE_PACKAGES.test(path)) return this.pythonFallback(path)
    const nodeModules = path.lastIndexOf('node_modules/')
    if (nodeModules !== -1 && (nodeModules === 0 || path[nodeModules - 1] === '/')) return this.nodeOwner(path, nodeModules)
    if (path.startsWith('vendor/')) {
      const gem = GEM_PATH.exec(path)
      if (gem) return this.gemOwner(gem[1], gem[2], gem[3])
      const ruby = RUBY_RUNTIME.exec(path)
      if (ruby) return this.runtimeRow(`vendor/ruby-${ruby[1]}`, 'ruby', ruby[1])
    }

    return undefined
  }

  /** Packages that own at least one file, as accumulated by `add`. */
  packages(): PackageRow[] {
    return [...this.rows.values()].filter(r => r.files > 0)
  }

  /** Counts a file's bytes toward its package. */
  add(row: PackageRow, size: number, compressed: number): void {
    row.size += size
    row.compressed += compressed
    row.files++
  }

  private row(ecosystem: Ecosystem, name: string, location: string, version?: string): PackageRow {
    const id = `${location}\0${ecosystem}:${name}`
    let row = this.rows.get(id)
    if (!row) {
      row = {compressed: 0, ecosystem, evidence: 'installed', files: 0, location, name, size: 0}
      if (version) row.version = version
      this.rows.set(id, row)
    } else if (version && !row.version) {
      row.version = version
    }

    return row
  }

  private distRow(site: string, folder: string, stem: string): PackageRow {
    const fromFolder = parseDistFolder(stem)
    const meta = parseMetadata(this.captured[`${site}/${folder}/METADATA`] ?? this.captured[`${site}/${folder}/PKG-INFO`])
    const name = meta.name ?? fromFolder.name
    if (meta.requires.length > 0) this.requires.set(name, meta.requires)
    if (meta.dependencies.length > 0) this.dependencies.set(name, meta.dependencies)
    return this.row('python', name, site, meta.version ?? fromFolder.version)
  }

  /**
   * Registers the folders above a recorded file (relative to /app) up to site-packages as the
   * distribution's, or as shared (null) when another distribution has files there too. Returns the
   * file's folder: RECORD lists a folder's files together, so the next line usually skips the walk up.
   */
  private ownFolders(site: string, path: string, row: PackageRow, previousFolder: string): string {
    const folder = dirName(path)
    if (folder === previousFolder || path[site.length] !== '/' || !path.startsWith(site)) return folder
    for (let dir = folder; dir.length > site.length; dir = dirName(dir)) {
      const owner = this.byFolder.get(dir)
      // ancestors of a folder already seen were registered with it
      if (owner === row || owner === null) break
      this.byFolder.set(dir, owner === undefined ? row : null)
    }

    return folder
  }

  private pythonFallback(path: string): PackageRow | undefined {
    const m = SITE_PACKAGES.exec(path)!
    const site = path.slice(0, m.index + m[0].length - 1)
    for (let dir = dirName(path); dir.length > site.length; dir = dirName(dir)) {
      const owner = this.byFolder.get(dir)
      if (owner) return owner
    }

    const rest = path.slice(site.length + 1)
    const slash = rest.indexOf('/')
    if (slash === -1 && !/\.(?:py|so|pyd)$/.test(rest)) return undefined
    const segment = slash === -1 ? rest : rest.slice(0, slash)
    // a namespace folder several distributions share (nvidia/, google/) is no package of its own
    if (segment === '__pycache__' || this.byFolder.get(`${site}/${segment}`) === null) return undefined
    const module = this.byModule.get(`${site}/${moduleStem(segment)}`)
    if (module) return module
    const dist = /^(.+)\.(?:dist-info|egg-info)$/.exec(segment)
    if (dist) return this.distRow(site, segment, dist[1])
    return this.row('python', normalizePythonName(moduleStem(segment)), site)
  }

  private nodeOwner(path: string, at: number): PackageRow | undefined {
    const rest = path.slice(at + 'node_modules/'.length)
    const parts = rest.split('/', 3)
    const scoped = parts[0].startsWith('@')
    const nameParts = scoped ? 2 : 1
    // a file directly in node_modules (.package-lock.json) or in node_modules/.bin, .cache...: no package
    if (parts.length <= nameParts || parts[0].startsWith('.')) return undefined
    const name = scoped ? `${parts[0]}/${parts[1]}` : parts[0]
    const location = path.slice(0, at) + 'node_modules/' + name
    let row = this.nodeRows.get(location)
    if (!row) {
      const meta = nodeNameVersion(this.captured[`${location}/package.json`])
      row = this.row('node', meta.name ?? name, location, meta.version)
      this.nodeRows.set(location, row)
    }

    return row
  }

  private gemOwner(base: string, kind: string, folder: string): PackageRow {
    const {name, version} = gemNameVersion(folder)
    const stem = folder.replace(/\.(?:gemspec|gem)$/, '')
    const location = kind === 'bundler/gems' ? `${base}/bundler/gems/${stem}` : `${base}/gems/${stem}`
    return this.row('ruby', name, location, version)
  }

  private runtimeRow(location: string, name: string, version?: string): PackageRow {
    if (name === 'python') this.pythonRuntimeVersion ??= {version: this.pythonVersion()}
    return this.row('runtime', name, location, version ?? (name === 'python' ? this.pythonRuntimeVersion!.version : undefined))
  }

  /** The slug's Python: runtime.txt, .python-version, else the lib/pythonX.Y folder of a site-packages. */
  pythonVersion(): string | undefined {
    const runtime = /python-(\d[\w.]*)/.exec(this.captured['runtime.txt'] ?? '')?.[1]
    const pinned = this.captured['.python-version']?.trim().split(/\s+/)[0]
    if (runtime ?? pinned) return runtime ?? pinned
    for (const path of Object.keys(this.captured)) {
      const m = BUILDPACK_PYTHON_LIB.exec(path)
      if (m) return m[1]
    }

    return undefined
  }
}
