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
