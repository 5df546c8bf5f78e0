import type {Category, CategoryRow, FileRow, Finding, FolderRow, PackageRow} from '../../src/lib/analyze/rows.js'
import {SLUG_LIMIT, SLUG_WARNING, type SlugReport} from '../../src/lib/analyze/report.js'

const SITE = '.heroku/python/lib/python3.12/site-packages'

/** Deterministic pseudo-random numbers (mulberry32), so every run draws the same slug. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface PackageSpec {
  name: string
  version: string
  /** share of the generated small files */
  weight: number
  big: {path: string; size: number; ratio: number}[]
}

const PACKAGES: PackageSpec[] = [
  {
    big: [{path: 'tensorflow/libtensorflow_cc.so.2', ratio: 0.42, size: 610e6}, {path: 'tensorflow/libtensorflow_framework.so.2', ratio: 0.4, size: 48e6}],
    name: 'tensorflow',
    version: '2.16.1',
    weight: 0.45,
  },
  {big: [{path: 'numpy.libs/libopenblas64_p-r0.so', ratio: 0.35, size: 34e6}], name: 'numpy', version: '1.26.4', weight: 0.08},
  {big: [{path: 'scipy.libs/libopenblasp.so', ratio: 0.35, size: 32e6}], name: 'scipy', version: '1.13.0', weight: 0.12},
  {big: [], name: 'pandas', version: '2.2.2', weight: 0.1},
  {big: [], name: 'keras', version: '3.3.3', weight: 0.05},
  {big: [], name: 'jupyter', version: '1.0.0', weight: 0.04},
  {big: [{path: 'jaxlib/xla_extension.so', ratio: 0.3, size: 70e6}], name: 'jaxlib', version: '0.4.28', weight: 0.02},
  {big: [], name: 'h5py', version: '3.11.0', weight: 0.02},
  {big: [], name: 'grpcio', version: '1.63.0', weight: 0.02},
]

function sum<T>(rows: T[], key: (r: T) => number): number {
  let total = 0
  for (const r of rows) total += key(r)
  return total
}

/**
 * A SlugReport of a TensorFlow-like slug with `fileCount` files, and its full file list: the input
 * `slug:inspect --html` gets from the command. Sizes are made up but shaped like the real thing.
 */
export function syntheticReport(fileCount: number, seed = 42): {files: FileRow[]; report: SlugReport} {
  const rnd = random(seed)
  const files: FileRow[] = []
  /** a file of `size` bytes that compresses to `ratio` of it */
  const add = (path: string, size: number, ratio: number, [category, pkg]: [Category, string?]) => {
    const origin = pkg ? 'buildpack' : 'repo'
    files.push({category, compressed: Math.round(size * ratio), files: 1, origin, package: pkg, path, size: Math.round(size)})
  }

  add('models/classifier.h5', 180e6, 0.93, ['model'])
  add('models/embeddings.npy', 40e6, 0.9, ['model'])
  add('data/train.csv', 25e6, 0.3, ['data'])
  add('notebooks/explore.ipynb', 4e6, 0.4, ['notebook'])
  add('docs/architecture.png', 2e6, 0.98, ['docs-media'])
  add('app.py', 6000, 0.3, ['app-code'])
  add('Procfile', 40, 1, ['app-code'])
  add('.heroku/python/bin/python3.12', 18e6, 0.35, ['runtime', 'runtime:python'])
  add('.heroku/python/lib/libpython3.12.so.1.0', 24e6, 0.33, ['runtime', 'runtime:python'])
  for (const p of PACKAGES) for (const b of p.big) add(`${SITE}/${b.path}`, b.size, b.ratio, ['python-package', `python:${p.name}`])

  const small = Math.max(0, fileCount - files.length)
  let made = 0
  for (const p of PACKAGES) {
    const n = p === PACKAGES.at(-1) ? small - made : Math.round(small * p.weight)
    for (let i = 0; i < n; i++) {
      const dir = `${SITE}/${p.name}/${['python', 'core', 'lite', 'compiler', 'tools'][i % 5]}/m${Math.floor(i / 40) % 60}`
      const isTest = i % 9 === 0
      const path = isTest ? `${SITE}/${p.name}/tests/test_${i}.py` : `${dir}/mod_${i}.py`
      add(path, 800 + (rnd() * 12_000), 0.22 + (rnd() * 0.1), [isTest ? 'tests' : 'python-package', `python:${p.name}`])
    }

    made += n
  }

  const installed = [
    ...PACKAGES.map(p => ({name: p.name, version: p.version, ecosystem: 'python' as const})),
    {ecosystem: 'runtime' as const, name: 'python', version: '3.12.3'},
  ]
  const packages: PackageRow[] = installed
  .map(p => {
    const id = `${p.ecosystem}:${p.name}`
    const own = files.filter(f => f.package === id)
    return {
      ...p,
      compressed: sum(own, f => f.compressed),
      evidence: 'installed' as const,
      files: own.length,
      location: p.ecosystem === 'python' ? SITE : '.heroku/python',
      size: sum(own, f => f.size),
    }
  })
  .sort((a, b) => b.compressed - a.compressed)

  const byCategory = new Map<Category, CategoryRow>()
  for (const f of files) {
    const row = byCategory.get(f.category) ?? {category: f.category, compressed: 0, files: 0, size: 0}
    row.compressed += f.compressed
    row.size += f.size
    row.files += 1
    byCategory.set(f.category, row)
  }

  const folders: FolderRow[] = ['.heroku', 'models', 'data'].map(top => {
    const own = files.filter(f => f.path.startsWith(`${top}/`))
    return {compressed: sum(own, f => f.compressed), files: own.length, path: top, size: sum(own, f => f.size)}
  })

  const findings: Finding[] = [
    {
      command: 'heroku slug:offload-models --app example-app',
      estimated: false,
      evidence: ['models/classifier.h5 (HDF5, 180 MB)', 'models/embeddings.npy (40 MB)'],
      id: 'model-in-repo:models',
      kind: 'model-in-repo',
      paths: ['models/classifier.h5', 'models/embeddings.npy'],
      remedy: 'Keep models in object storage and download them at boot.',
      savings: files[0].compressed + files[1].compressed,
      severity: 'high',
      title: 'Models committed to the repo',
    },
    {
      estimated: true,
      evidence: ['tensorflow 2.16.1 installed (includes GPU support)'],
      id: 'heavy-package:tensorflow',
      kind: 'heavy-package',
      packages: ['tensorflow'],
      remedy: 'Use `tensorflow-cpu`: dynos have no GPU.',
      savings: 180e6,
      severity: 'high',
      source: 'https://pypi.org/project/tensorflow-cpu/',
      title: 'tensorflow pulls GPU kernels a dyno cannot use',
    },
    {
      command: 'heroku slug:diet --app example-app',
      estimated: false,
      evidence: ['data/train.csv (25 MB) <script>alert(1)</script>'],
      id: 'data-in-repo:data',
      kind: 'data-in-repo',
      paths: ['data/'],
      remedy: 'List data/ in .slugignore.',
      savings: files[2].compressed,
      severity: 'medium',
      title: 'Data files in the repo',
    },
  ]

  const compressed = sum(files, f => f.compressed) + 1_400_000
  const report: SlugReport = {
    categories: [...byCategory.values()].sort((a, b) => b.compressed - a.compressed),
    files: [...files].sort((a, b) => b.compressed - a.compressed).slice(0, 20),
    findings,
    folders,
    kind: 'slug',
    notes: ['Sizes are each file\'s share of the compressed slug.'],
    origins: {
      buildpack: {compressed: sum(files.filter(f => f.origin === 'buildpack'), f => f.compressed), files: 0, size: 0},
      repo: {compressed: sum(files.filter(f => f.origin === 'repo'), f => f.compressed), files: 0, size: 0},
    },
    packages,
    prediction: false,
    source: {app: 'example-app', commit: '3f9c2a1b7e5d4c2a', release: 42, slugId: 'c1f2a3b4-0000-4000-8000-000000000042', stack: 'heroku-24'},
    totals: {compressed, files: files.length, limit: SLUG_LIMIT, uncompressed: sum(files, f => f.size), warning: SLUG_WARNING},
  }
  return {files, report}
}
