import {expect} from 'chai'

import {normalizePythonName} from '../../../../../src/lib/analyze/python/dist-info.js'
import {parseRequirements} from '../../../../../src/lib/analyze/python/requirements.js'

const pick = (line: object, keys: string[]): Record<string, unknown> =>
  Object.fromEntries(keys.filter(k => k in line).map(k => [k, (line as Record<string, unknown>)[k]]))

describe('analyze/python/requirements', () => {
  it('reads pins, ranges, extras, markers, comments and blank lines with their line numbers', () => {
    const lines = parseRequirements([
      '# production deps',
      'tensorflow==2.16.1',
      'Flask >= 2.0, < 3  # web',
      'uvicorn[standard]~=0.29',
      'numpy<2; python_version<"3.12"',
      '',
      'Pillow',
      'torch===2.1.0+cpu',
      'pandas==2.*',
    ].join('\n'))
    const keys = ['kind', 'line', 'name', 'normalizedName', 'extras', 'specifier', 'pinned', 'marker', 'comment']
    expect(lines.map(l => pick(l, keys))).to.deep.equal([
      {comment: 'production deps', kind: 'comment', line: 1},
      {kind: 'requirement', line: 2, name: 'tensorflow', normalizedName: 'tensorflow', pinned: '2.16.1', specifier: '==2.16.1'},
      {comment: 'web', kind: 'requirement', line: 3, name: 'Flask', normalizedName: 'flask', specifier: '>=2.0,<3'},
      {extras: ['standard'], kind: 'requirement', line: 4, name: 'uvicorn', normalizedName: 'uvicorn', specifier: '~=0.29'},
      {kind: 'requirement', line: 5, marker: 'python_version<"3.12"', name: 'numpy', normalizedName: 'numpy', specifier: '<2'},
      {kind: 'blank', line: 6},
      {kind: 'requirement', line: 7, name: 'Pillow', normalizedName: 'pillow'},
      {kind: 'requirement', line: 8, name: 'torch', normalizedName: 'torch', pinned: '2.1.0+cpu', specifier: '===2.1.0+cpu'},
      {kind: 'requirement', line: 9, name: 'pandas', normalizedName: 'pandas', specifier: '==2.*'},
    ])
  })

  it('joins continuation lines and collects --hash values, keeping the text as written', () => {
    const text = 'requests==2.31.0 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb\nidna==3.6 --hash=sha256:ccc\n'
    const [requests, idna] = parseRequirements(text)
    expect(requests).to.include({endLine: 3, kind: 'requirement', line: 1, name: 'requests', pinned: '2.31.0'})
    expect(requests.hashes).to.deep.equal(['sha256:aaa', 'sha256:bbb'])
    expect(requests.text).to.equal('requests==2.31.0 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb')
    expect(idna).to.include({endLine: 4, line: 4, pinned: '3.6'})
    expect(idna.hashes).to.deep.equal(['sha256:ccc'])
  })

  it('reads includes, index options, editable and URL requirements', () => {
    const lines = parseRequirements([
      '-r base.txt',
      '--requirement=more.txt',
      '-c constraints.txt',
      '--extra-index-url https://download.pytorch.org/whl/cpu',
      '-i https://pypi.org/simple',
      '-e .',
      'mypkg @ https://example.com/mypkg-1.0.tar.gz',
      'git+https://github.com/org/repo.git@v1#egg=repo-pkg',
      './wheels/local-1.0-py3-none-any.whl',
    ].join('\n'))
    expect(lines.map(l => pick(l, ['kind', 'option', 'value', 'name', 'url']))).to.deep.equal([
      {kind: 'include', option: '-r', value: 'base.txt'},
      {kind: 'include', option: '--requirement', value: 'more.txt'},
      {kind: 'include', option: '-c', value: 'constraints.txt'},
      {kind: 'option', option: '--extra-index-url', value: 'https://download.pytorch.org/whl/cpu'},
      {kind: 'option', option: '-i', value: 'https://pypi.org/simple'},
      {kind: 'option', option: '-e', value: '.'},
      {kind: 'requirement', name: 'mypkg', url: 'https://example.com/mypkg-1.0.tar.gz'},
      {kind: 'url', name: 'repo-pkg', url: 'git+https://github.com/org/repo.git@v1#egg=repo-pkg'},
      {kind: 'url', url: './wheels/local-1.0-py3-none-any.whl'},
    ])
  })

  it('marks lines pip would reject as invalid', () => {
    const lines = parseRequirements('numpy ==\n==1.0\nflask>=2 <3\n')
    expect(lines.map(l => l.kind)).to.deep.equal(['invalid', 'invalid', 'invalid'])
  })

  it('normalizes names as PEP 503 does', () => {
    expect(normalizePythonName('Tensorflow_CPU')).to.equal('tensorflow-cpu')
    expect(normalizePythonName('zope.interface')).to.equal('zope-interface')
    expect(normalizePythonName('a__b--c')).to.equal('a-b-c')
    expect(normalizePythonName('nvidia_cublas_cu12')).to.equal('nvidia-cublas-cu12')
    expect(normalizePythonName('ruamel.yaml')).to.equal('ruamel-yaml')
  })
})
