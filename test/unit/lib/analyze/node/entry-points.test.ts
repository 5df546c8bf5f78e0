import {expect} from 'chai'

import {moduleSpecifiers, packageOfSpecifier, runtimeRequires, startCommands} from '../../../../../src/lib/analyze/node/entry-points.js'
import type {PackageJson} from '../../../../../src/lib/analyze/node/package-json.js'

describe('entry-points', () => {
  it('finds require, import, dynamic import and re-exports; skips comments, strings and methods', () => {
    const text = [
      "const express = require('express')",
      "import next from 'next'",
      'import {a, b as c} from "@scope/pkg/sub"',
      "import './side-effect.js'",
      "export * from './lib'",
      'const later = await import(`puppeteer`)',
      "// require('commented-out')",
      "/* import x from 'block-comment' */",
      "const s = 'require(\"in-a-string\")'",
      "cache.require('not-a-module')",
      "const from = 'not-a-specifier'",
    ].join('\n')
    expect(moduleSpecifiers(text)).to.deep.equal({dynamic: false, specifiers: ['express', 'next', '@scope/pkg/sub', './side-effect.js', './lib', 'puppeteer']})
    expect(moduleSpecifiers('const m = require(name)').dynamic).to.equal(true)
    // eslint-disable-next-line no-template-curly-in-string -- the text under test is a template literal with a substitution
    expect(moduleSpecifiers('const m = require(`${x}`)').specifiers).to.deep.equal([])
  })

  it('names packages, not builtins or paths', () => {
    expect(['fs', 'node:fs', './x', '/abs', '#internal', 'lodash/fp', '@img/sharp/lib'].map(s => packageOfSpecifier(s))).to.deep.equal([
      undefined, undefined, undefined, undefined, undefined, 'lodash', '@img/sharp',
    ])
  })

  it('start commands: the Procfile, else scripts.start, else npm\'s default', () => {
    expect(startCommands({app: {}, procfile: 'web: node server.js\nworker: npm run jobs\n'})).to.deep.equal(['node server.js', 'npm run jobs'])
    expect(startCommands({app: {scripts: {start: 'next start'}}})).to.deep.equal(['next start'])
    expect(startCommands({app: {}})).to.deep.equal(['node server.js'])
  })

  it('walks from the start command through relative imports, adds bins and non-optional dependencies', () => {
    const installed = new Map<string, PackageJson>([
      ['@next/swc-linux-x64-musl', {}],
      ['body-parser', {}],
      ['express', {dependencies: {'body-parser': '2'}}],
      ['next', {bin: {next: 'dist/bin/next'}, optionalDependencies: {'@next/swc-linux-x64-musl': '15'}}],
      ['puppeteer', {}],
    ])
    const requires = runtimeRequires({
      app: {scripts: {start: 'NODE_ENV=production node --enable-source-maps src/server.js', web: 'next start'}},
      installed,
      procfile: 'web: npm start\nfront: npm run web',
      texts: {'src/routes.ts': "import express from 'express'", 'src/server.js': "require('./routes.js')\nrequire('dotenv/config')"},
    })
    expect([...requires.packages].sort()).to.deep.equal(['body-parser', 'dotenv', 'express', 'next'])
    // `next start` loads the app's pages and API routes its own way: what they load is not known
    expect(requires).to.deep.include({dynamic: [], sourceMaps: true, unresolved: ['next (a command of next: what it loads from the app is not read)']})
  })

  it('reads --require=x and --import=x as it reads --require x', () => {
    const installed = new Map<string, PackageJson>([['@babel/core', {}], ['@babel/register', {dependencies: {'@babel/core': '7'}}]])
    const requires = runtimeRequires({app: {scripts: {start: 'node --require=@babel/register --import=./setup.js server.js'}}, installed, texts: {'server.js': '', 'setup.js': "import 'dotenv/config'"}})
    expect([...requires.packages].sort()).to.deep.equal(['@babel/core', '@babel/register', 'dotenv'])
    expect(requires.unresolved).to.deep.equal([])
  })

  it('says what it could not read: an entry file the build writes', () => {
    const requires = runtimeRequires({app: {scripts: {start: 'node dist/server.js'}}, installed: new Map(), texts: {}})
    expect(requires.unresolved).to.deep.equal(['dist/server.js'])
  })
})
