import {type FixtureEntry, buildSlug, incompressible} from '../helpers/slug-builder.js'

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
 */
export function tensorflowSlug(): Buffer {
  return buildSlug([
    {content: 'web: gunicorn app:app\n', path: './app/Procfile'},
    {content: 'tensorflow==2.16.1\njupyter==1.0.0\nflask\n', path: './app/requirements.txt'},
    {content: 'from flask import Flask\napp = Flask(__name__)\n'.repeat(50), path: './app/app.py'},
    {content: Buffer.concat([Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1'), incompressible(700_000, 3)]), path: './app/models/classifier.h5'},
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
