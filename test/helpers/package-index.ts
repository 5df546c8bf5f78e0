import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** A wheel the test index serves; the test builds it (python3's zipfile writes it, not this project). */
export interface FakeWheel {
  name: string
  version: string
  /** the wheel's tag triple (default py3-none-any), e.g. cp312-cp312-manylinux_2_17_x86_64 */
  tag?: string
  /** Requires-Dist lines, e.g. 'numpy>=1.26', 'pytest; extra == "test"' */
  requires?: string[]
  /** Provides-Extra names */
  extras?: string[]
  /** random (incompressible) bytes inside the package, so the wheel has a size worth measuring */
  payload?: number
}

export interface BuiltWheel {
  wheel: FakeWheel
  filename: string
  project: string
  bytes: Buffer
  metadata: string
  sha256: string
}

const normalize = (name: string): string => name.toLowerCase().replaceAll(/[-_.]+/g, '-')

function metadataOf(w: FakeWheel): string {
  return [
    'Metadata-Version: 2.1',
    `Name: ${w.name}`,
    `Version: ${w.version}`,
    ...(w.extras ?? []).map(e => `Provides-Extra: ${e}`),
    ...(w.requires ?? []).map(r => `Requires-Dist: ${r}`),
    '',
    '',
  ].join('\n')
}

// Writes each wheel with python3's zipfile: NAME-VER.dist-info/{METADATA,WHEEL,RECORD} and a module.
const BUILD_WHEELS = `
import json, os, sys, zipfile
for spec in json.load(sys.stdin):
    stem = spec['name'].replace('-', '_')
    info = f"{stem}-{spec['version']}.dist-info"
    with zipfile.ZipFile(os.path.join(spec['dir'], spec['filename']), 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{stem}/__init__.py", "VERSION = %r\\n" % spec['version'])
        if spec['payload']:
            z.writestr(f"{stem}/_payload.bin", os.urandom(spec['payload']))
        z.writestr(f"{info}/METADATA", spec['metadata'])
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: %s\\n" % spec['tag'])
        z.writestr(f"{info}/RECORD", "")
`

/** Builds the wheels (one python3 run for all of them). */
export function buildWheels(wheels: FakeWheel[]): BuiltWheel[] {
  const dir = mkdtempSync(join(tmpdir(), 'wheels-'))
  const specs = wheels.map(w => {
    const tag = w.tag ?? 'py3-none-any'
    return {dir, filename: `${w.name.replaceAll('-', '_')}-${w.version}-${tag}.whl`, metadata: metadataOf(w), name: w.name, payload: w.payload ?? 0, tag, version: w.version}
  })
  try {
    execFileSync('python3', ['-c', BUILD_WHEELS], {input: JSON.stringify(specs)})
    return specs.map((s, i) => {
      const bytes = readFileSync(join(dir, s.filename))
      return {bytes, filename: s.filename, metadata: s.metadata, project: normalize(wheels[i].name), sha256: createHash('sha256').update(bytes).digest('hex'), wheel: wheels[i]}
    })
  } finally {
    rmSync(dir, {force: true, recursive: true})
  }
}

export interface IndexOptions {
  /** serve PEP 691 JSON (default true); false: PEP 503 HTML only */
  json?: boolean
  /** PEP 700 `size` in the JSON (default true) */
  sizes?: boolean
  /** PEP 658 `.metadata` files (default true) */
  metadata?: boolean
}

export interface PackageIndex {
  /** the simple index, e.g. http://127.0.0.1:PORT/simple/ */
  url: string
  wheels: BuiltWheel[]
  /** `METHOD path` of every request */
  requests: string[]
  close(): Promise<void>
}

function sendJson(res: http.ServerResponse, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(200, {'Content-Length': Buffer.byteLength(text), 'Content-Type': 'application/vnd.pypi.simple.v1+json'}).end(text)
}

/**
 * A package index on 127.0.0.1 as PyPI serves one: the simple API as PEP 691 JSON (or PEP 503 HTML),
 * with PEP 658 metadata files and PEP 700 sizes, and the wheels themselves (GET and HEAD).
 */
export async function servePackageIndex(wheels: FakeWheel[], options: IndexOptions = {}): Promise<PackageIndex> {
  const json = options.json ?? true
  const sizes = options.sizes ?? true
  const metadata = options.metadata ?? true
  const built = buildWheels(wheels)
  const requests: string[] = []
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
    requests.push(`${req.method} ${path}`)
    const wantsJson = json && (req.headers.accept ?? '').includes('application/vnd.pypi.simple.v1+json')
    if (path === '/simple/') {
      const projects = [...new Set(built.map(b => b.project))]
      if (wantsJson) sendJson(res, {meta: {'api-version': '1.1'}, projects: projects.map(name => ({name}))})
      else res.writeHead(200, {'Content-Type': 'text/html'}).end(projects.map(p => `<a href="/simple/${p}/">${p}</a>`).join('\n'))
      return
    }

    const project = /^\/simple\/([^/]+)\/$/.exec(path)?.[1]
    if (project !== undefined) {
      const files = built.filter(b => b.project === normalize(project))
      if (files.length === 0) {
        res.writeHead(404).end('not found')
        return
      }

      if (wantsJson) {
        sendJson(res, {
          files: files.map(f => ({
            filename: f.filename,
            hashes: {sha256: f.sha256},
            url: `/files/${encodeURIComponent(f.filename)}`,
            ...(sizes ? {size: f.bytes.length} : {}),
            ...(metadata ? {'core-metadata': {sha256: createHash('sha256').update(f.metadata).digest('hex')}, 'dist-info-metadata': true} : {}),
          })),
          meta: {'api-version': '1.1'},
          name: normalize(project),
          versions: [...new Set(files.map(f => f.wheel.version))],
        })
      } else {
        const attribute = metadata ? ' data-dist-info-metadata="true" data-core-metadata="true"' : ''
        res.writeHead(200, {'Content-Type': 'text/html'}).end(files.map(f => `<a href="/files/${encodeURIComponent(f.filename)}#sha256=${f.sha256}"${attribute}>${f.filename}</a>`).join('\n'))
      }

      return
    }

    const file = /^\/files\/(.+)$/.exec(path)?.[1]
    const wheel = built.find(b => b.filename === file)
    const meta = metadata ? built.find(b => `${b.filename}.metadata` === file) : undefined
    if (meta) {
      res.writeHead(200, {'Content-Length': Buffer.byteLength(meta.metadata), 'Content-Type': 'text/plain'}).end(meta.metadata)
    } else if (wheel) {
      res.writeHead(200, {'Content-Length': wheel.bytes.length, 'Content-Type': 'application/octet-stream'})
      res.end(req.method === 'HEAD' ? undefined : wheel.bytes)
    } else {
      res.writeHead(404).end('not found')
    }
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as AddressInfo
  return {
    close: () => new Promise<void>(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
    requests,
    url: `http://127.0.0.1:${port}/simple/`,
    wheels: built,
  }
}
