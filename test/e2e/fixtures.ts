import {type FixtureEntry, buildSlug, incompressible} from '../helpers/slug-builder.js'
import type {FakeApp, FakeRelease} from './fake-heroku.js'

const SITE = '.heroku/python/lib/python3.12/site-packages'

/** An installed Python distribution: its files plus a dist-info with METADATA and a RECORD listing them. */
function distribution(name: string, version: string, files: {path: string; content: Buffer | string}[]): FixtureEntry[] {
  const info = `${SITE}/${name}-${version}.dist-info`
  const record = [
    ...files.map(f => `${f.path},sha256=x,${Buffer.byteLength(f.content)}`),
    `${name}-${version}.dist-info/METADATA,,`,
    `${name}-${version}.dist-info/RECORD,,`,
  ].join('\n')
  return [
    ...files.map(f => ({content: f.content, path: `./app/${SITE}/${f.path}`})),
    {content: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`, path: `./app/${info}/METADATA`},
    {content: record, path: `./app/${info}/RECORD`},
  ]
}

/**
 * A small TensorFlow-style slug: a model and data committed to the repo, tensorflow with its tests,
 * jupyter installed in production. Big files are incompressible, as weights and .so files are.
 * `{model: false}` is the same app before the model was committed (for slug:diff).
 */
export function tensorflowSlug(options: {model?: boolean} = {}): Buffer {
  const model: FixtureEntry[] = options.model === false
    ? []
    : [{content: Buffer.concat([Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1'), incompressible(700_000, 3)]), path: './app/models/classifier.h5'}]
  return buildSlug([
    {content: 'web: gunicorn app:app\n', path: './app/Procfile'},
    {content: 'tensorflow==2.16.1\njupyter==1.0.0\nflask\n', path: './app/requirements.txt'},
    {content: 'from flask import Flask\napp = Flask(__name__)\n'.repeat(50), path: './app/app.py'},
    ...model,
    {content: 'id,label,value\n'.repeat(20_000), path: './app/data/train.csv'},
    ...distribution('tensorflow', '2.16.1', [
      {content: incompressible(900_000, 5), path: 'tensorflow/libtensorflow_framework.so.2'},
      {content: 'import os\n'.repeat(500), path: 'tensorflow/__init__.py'},
      {content: 'def test_ops():\n    assert True\n'.repeat(300), path: 'tensorflow/python/kernel_tests/test_ops.py'},
    ]),
    ...distribution('jupyter', '1.0.0', [{content: '"""jupyter"""\n'.repeat(100), path: 'jupyter.py'}]),
    {content: incompressible(120_000, 9), path: './app/.heroku/python/bin/python3.12'},
  ])
}

export const CURRENT_SLUG = '5f0e6a2c-1d4b-4c8e-9a7f-0b3c2d1e4f59'
export const OLD_SLUG = '5f0e6a2c-1d4b-4c8e-9a7f-0b3c2d1e4f01'

/**
 * example-app: 60 releases (more than one 50-release page); v60 failed and is not current, v59 runs
 * CURRENT_SLUG (with the model), every older release ran OLD_SLUG (before the model was committed).
 */
export function exampleApp(): FakeApp {
  const releases: FakeRelease[] = Array.from({length: 60}, (_, i) => {
    const version = i + 1
    if (version === 60) return {current: false, slugId: OLD_SLUG, status: 'failed', version}
    return {current: version === 59, slugId: version === 59 ? CURRENT_SLUG : OLD_SLUG, status: 'succeeded', version}
  })
  return {
    name: 'example-app',
    releases,
    slugs: [
      {blob: tensorflowSlug(), commit: '3f9c2a1b7e5d4c2a9b8e', id: CURRENT_SLUG},
      {blob: tensorflowSlug({model: false}), commit: '0a1b2c3d4e5f60718293', id: OLD_SLUG},
    ],
  }
}

const MB = 1_000_000

/** A slug id of the fleets below: a UUID (as Heroku's are) made from a number. */
export function fleetSlugId(n: number): string {
  return `5a1e0000-0000-4000-8000-${String(n).padStart(12, '0')}`
}

let nextSlug = 1

/**
 * An app of slugs only by size (no blob is served): one release per size given, oldest first, the last current.
 * Every third release is a config change that reuses the slug before it, as on a real app.
 */
export function sizedApp(name: string, sizes: number[], extra: Partial<FakeApp> = {}): FakeApp {
  const slugs = sizes.map(size => ({blob: Buffer.alloc(0), id: fleetSlugId(nextSlug++), size}))
  const releases: FakeRelease[] = []
  for (const [i, slug] of slugs.entries()) {
    releases.push({current: false, slugId: slug.id, status: 'succeeded', version: releases.length + 1})
    if (i % 3 === 2) releases.push({current: false, description: 'Set LOG_LEVEL config vars', slugId: slug.id, status: 'succeeded', version: releases.length + 1})
  }

  releases.at(-1)!.current = true
  return {name, releases, slugs, ...extra}
}

/** A slug's sizes over `count` releases, growing from `from` to `to` MB, with one jump of `jump` MB at `at`. */
export function growing(count: number, from: number, to: number, jump?: {at: number; by: number}): number[] {
  const by = jump?.by ?? 0
  const step = (to - from - by) / Math.max(1, count - 1)
  return Array.from({length: count}, (_, i) => Math.round((from + (step * i) + (jump && i >= jump.at ? by : 0)) * MB))
}

/**
 * Team acme's apps for the README and the e2e suite: one near the limit and growing fast, some over the warning,
 * small ones, a Fir app, a Docker app, an app never built, and one the user may list but not read (403).
 */
export function acmeFleet(): FakeApp[] {
  const team = {team: 'acme'}
  return [
    sizedApp('acme-ml-inference', growing(14, 331, 472, {at: 11, by: 84}), team),
    sizedApp('acme-recsys', growing(12, 398, 405), team),
    sizedApp('acme-web', growing(12, 288, 318), team),
    sizedApp('acme-etl', growing(8, 231, 220), team),
    sizedApp('acme-admin', growing(6, 90, 95), team),
    sizedApp('acme-docs', [12 * MB], team),
    sizedApp('acme-payments', growing(6, 140, 150), {...team, forbidden: true}),
    {generation: 'fir', name: 'acme-fir-api', ...team},
    {buildStack: 'container', name: 'acme-gpu-worker', ...team},
    {name: 'acme-sandbox', releases: [], ...team},
  ]
}

/** `count` personal apps named app-000, app-001...: sizes spread from 5 MB to ~520 MB, each over three releases. */
export function personalFleet(count: number): FakeApp[] {
  return Array.from({length: count}, (_, i) => {
    const size = 5 + ((i * 37) % 516)
    return sizedApp(`app-${String(i).padStart(3, '0')}`, [size - 4, size - 1, size].map(s => Math.max(1, s) * MB))
  })
}
