import {expect} from 'chai'

import {parsePackageJson, readPackageJson} from '../../../../../src/lib/analyze/node/package-json.js'
import {UserError} from '../../../../../src/lib/shared/errors.js'

function errorOf(fn: () => unknown): UserError {
  try {
    fn()
  } catch (error) {
    return error as UserError
  }

  throw new Error('expected an error')
}

describe('parsePackageJson', () => {
  it('reads the fields the plugin uses and ignores the others', () => {
    const pkg = parsePackageJson(JSON.stringify({
      dependencies: {express: '^4.21.0'}, devDependencies: {typescript: '5.6.3'}, engines: {node: '22.x'}, name: 'web',
      os: ['linux'], private: true, scripts: {'heroku-cleanup': 'rm -rf .next/cache'}, workspaces: ['a'],
    }))
    expect(pkg).to.deep.equal({
      dependencies: {express: '^4.21.0'}, devDependencies: {typescript: '5.6.3'}, engines: {node: '22.x'}, name: 'web',
      os: ['linux'], scripts: {'heroku-cleanup': 'rm -rf .next/cache'},
    })
  })

  it('names the file and the field of the wrong type in one line', () => {
    const error = errorOf(() => parsePackageJson('{"dependencies": {"express": 4}}'))
    expect(error).to.be.instanceOf(UserError)
    expect(error.message).to.match(/^package\.json: "dependencies\.express" /)
    expect(error.message).to.not.include('\n')
    expect(errorOf(() => parsePackageJson('{"scripts": "build"}', 'web/package.json')).message).to.match(/^web\/package\.json: "scripts" /)
  })

  it('says a file is not JSON, or not an object', () => {
    expect(errorOf(() => parsePackageJson('{')).message).to.match(/^package\.json is not valid JSON \(/)
    expect(errorOf(() => parsePackageJson('[1]')).message).to.equal('package.json is not a JSON object.')
  })

  it('reads an installed package leniently: undefined rather than an error', () => {
    expect(readPackageJson('{"name": 3}')).to.equal(undefined)
    expect(readPackageJson()).to.equal(undefined)
    expect(readPackageJson('{"name": "sharp", "version": "0.33.5"}')).to.deep.equal({name: 'sharp', version: '0.33.5'})
  })
})
