import {expect} from 'chai'

import {archiveFromFileName, parseCollectingLine, parseInstalledLine, parsePipSize, parseProgressLine} from '../../../../../src/lib/predict/build-log/pip.js'

describe('predict/build-log/pip', () => {
  it('reads sizes in pip\'s decimal units', () => {
    expect(parsePipSize('589.8 MB')).to.equal(589.8e6)
    expect(parsePipSize('37 kB')).to.equal(37_000)
    expect(parsePipSize('995 bytes')).to.equal(995)
    expect(parsePipSize('752.0MB')).to.equal(752e6)
    expect(parsePipSize('1.2 GB')).to.equal(1.2e9)
  })

  it('splits wheel and sdist names; refuses metadata files', () => {
    expect(archiveFromFileName('tensorflow_io_gcs_filesystem-0.37.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'))
    .to.deep.equal({kind: 'wheel', name: 'tensorflow-io-gcs-filesystem', version: '0.37.0'})
    expect(archiveFromFileName('foo-1.0-1build-py3-none-any.whl')).to.deep.equal({kind: 'wheel', name: 'foo', version: '1.0'})
    expect(archiveFromFileName('python-dateutil-2.8.2.tar.gz')).to.deep.equal({kind: 'sdist', name: 'python-dateutil', version: '2.8.2'})
    expect(archiveFromFileName('flask-3.1.0-py3-none-any.whl.metadata')).to.equal(undefined)
    expect(archiveFromFileName('README.zip')).to.equal(undefined)
  })

  it('reads both progress bar styles', () => {
    expect(parseProgressLine('   ━━━━━━━━━━━━━━━━━╸━━━━━━━━━━━ 312.5/731.7 MB 48.2 MB/s eta 0:00:09')).to.deep.equal({received: 312.5e6, total: 731.7e6})
    expect(parseProgressLine('   |█████████▍                      | 230.1MB 2.1MB/s eta 0:04:07')).to.deep.equal({received: 230.1e6})
    expect(parseProgressLine('   |████████████████████████████████| 752.0MB 1.6MB/s')).to.deep.equal({received: 752e6, total: 752e6})
    expect(parseProgressLine('Procfile declares types -> web')).to.equal(undefined)
  })

  it('reads Collecting lines with extras and markers', () => {
    expect(parseCollectingLine('Collecting uvicorn[standard]==0.30.1 (from -r requirements.txt (line 4))', 1))
    .to.deep.equal({line: 1, name: 'uvicorn', requiredBy: undefined, specifier: '==0.30.1'})
    expect(parseCollectingLine('Collecting typing-extensions>=4.0; python_version < "3.11" (from anyio==4.4.0->-r requirements.txt (line 2))', 2))
    .to.deep.equal({line: 2, name: 'typing-extensions', requiredBy: 'anyio', specifier: '>=4.0'})
  })

  it('reads Successfully installed, including names without a version', () => {
    expect(parseInstalledLine('Successfully installed gunicorn local-package nvidia-nccl-cu12-2.20.5')).to.deep.equal([
      {displayName: 'gunicorn', name: 'gunicorn', version: undefined},
      {displayName: 'local-package', name: 'local-package', version: undefined},
      {displayName: 'nvidia-nccl-cu12', name: 'nvidia-nccl-cu12', version: '2.20.5'},
    ])
  })
})
