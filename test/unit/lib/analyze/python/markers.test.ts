import {expect} from 'chai'

import {evaluateMarker} from '../../../../../src/lib/analyze/python/markers.js'

const none = new Set<string>()

describe('evaluateMarker', () => {
  it('counts a requirement behind an extra only when that extra is installed', () => {
    expect(evaluateMarker('extra == "and-cuda"', {extras: none})).to.equal(false)
    expect(evaluateMarker('extra == "and_cuda"', {extras: new Set(['and-cuda'])})).to.equal(true)
    expect(evaluateMarker('extra != \'test\'', {extras: none})).to.equal(true)
  })

  it('evaluates platform and Python version markers for a Linux x86_64 CPython dyno', () => {
    const env = {extras: none, pythonVersion: '3.12.4'}
    expect(evaluateMarker('sys_platform == "win32"', env)).to.equal(false)
    expect(evaluateMarker('platform_system != "Darwin" and platform_machine == "x86_64"', env)).to.equal(true)
    expect(evaluateMarker('python_version < "3.11"', env)).to.equal(false)
    expect(evaluateMarker('python_version >= "3.9"', env)).to.equal(true)
    expect(evaluateMarker('python_full_version >= "3.12.1"', env)).to.equal(true)
    expect(evaluateMarker('"3.10" <= python_version', env)).to.equal(true)
    expect(evaluateMarker('python_version ~= "3.8"', env)).to.equal(true)
    expect(evaluateMarker('"linux" in sys_platform', env)).to.equal(true)
    expect(evaluateMarker('sys_platform not in "win32 cygwin"', env)).to.equal(true)
  })

  it('combines with and/or and parentheses, with "cannot tell" as a third value', () => {
    const env = {extras: new Set(['gpu'])}
    expect(evaluateMarker('(sys_platform == "linux" or sys_platform == "darwin") and extra == "gpu"', env)).to.equal(true)
    expect(evaluateMarker('sys_platform == "win32" and python_version < "3.11"', env)).to.equal(false)
    expect(evaluateMarker('python_version < "3.11"', env)).to.equal(undefined)
    expect(evaluateMarker('python_version < "3.11" or sys_platform == "linux"', env)).to.equal(true)
    expect(evaluateMarker('python_version < "3.11" and sys_platform == "linux"', env)).to.equal(undefined)
  })

  it('cannot tell for markers it cannot read, rather than guessing', () => {
    expect(evaluateMarker('', {extras: none})).to.equal(undefined)
    expect(evaluateMarker('python_version < "3.11', {extras: none})).to.equal(undefined)
    expect(evaluateMarker('(sys_platform == "linux"', {extras: none})).to.equal(undefined)
    expect(evaluateMarker('sys_platform = "linux"', {extras: none})).to.equal(undefined)
    expect(evaluateMarker('python_full_version < "3.12.1"', {extras: none, pythonVersion: '3.12'})).to.equal(undefined)
    expect(evaluateMarker(`${'('.repeat(5000)}x`, {extras: none})).to.equal(undefined)
  })
})
