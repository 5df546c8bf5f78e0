import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {parseBuildLog} from '../../../../../src/lib/predict/build-log/parse.js'
import {limitVerdict, packagesFromLog, reportFromBuildLog} from '../../../../../src/lib/predict/build-log/report.js'
import type {SlugReport} from '../../../../../src/lib/analyze/report.js'
import {formatBytes} from '../../../../../src/lib/shared/bytes.js'

const fixtures = fileURLToPath(new URL('../../../../fixtures/build-logs/', import.meta.url))
const reportOf = (name: string): SlugReport =>
  reportFromBuildLog(parseBuildLog(readFileSync(fixtures + name, 'utf8')), {file: name})
const savingsOf = (report: SlugReport) => report.findings.reduce((sum, f) => sum + (f.condition ? 0 : f.savings), 0)
const note = (report: SlugReport, start: string) => report.notes.find(n => n.startsWith(start))

describe('predict/build-log/report', () => {
  describe('an over-limit failure the findings bring under (over-limit.log)', () => {
    const report = reportOf('over-limit.log')

    it('is a build-log prediction with packages ranked by wheel size and no files', () => {
      expect(report.kind).to.equal('build-log')
      expect(report.prediction).to.equal(true)
      expect(report.files).to.deep.equal([])
      expect(report.folders).to.deep.equal([])
      expect(report.packages.slice(0, 4).map(p => [p.name, p.version, p.compressed])).to.deep.equal([
        ['tensorflow', '2.16.1', 589.8e6],
        ['libclang', '18.1.1', 24.5e6],
        ['numpy', '1.26.4', 18e6],
        ['jupyterlab', '4.2.1', 11.6e6],
      ])
      expect(report.packages).to.have.length(25)
      expect(report.packages.every(p => p.evidence === 'build-log' && p.size === p.compressed && p.ecosystem === 'python')).to.equal(true)
      expect(report.categories).to.deep.equal([{category: 'python-package', compressed: 685_952_700, files: 0, size: 685_952_700}])
      expect(report.origins.buildpack.compressed).to.equal(685_952_700)
    })

    it('takes the total from the compiled size and says the wheel stands in for the compressed share', () => {
      expect(report.totals).to.deep.include({compressed: 712.4e6, limit: 500e6, warning: 300e6})
      expect(report.source).to.deep.equal({file: 'over-limit.log', stack: 'heroku-22'})
      expect(report.notes[0]).to.match(/wheel \(a zip\) stands in for the package's compressed share/)
      expect(note(report, 'Compressed size')).to.equal('Compressed size 712 MB as Heroku\'s slug compiler reported it ("Compiled slug size"): the build was 212 MB over the 500 MB limit.')
    })

    it('has the package findings (tensorflow -> tensorflow-cpu, dev packages) and says they bring it under, by how much', () => {
      const ids = report.findings.map(f => f.id)
      expect(ids).to.include.members(['heavy-package:tensorflow', 'dev-package:pytest', 'dev-package:jupyterlab', 'dev-package:notebook'])
      const savings = savingsOf(report)
      expect(savings).to.be.greaterThan(212.4e6)
      const after = 712.4e6 - savings
      const brings = `that brings the slug to about ${formatBytes(after)}, ${formatBytes(500e6 - after)} under the 500 MB limit.`
      expect(note(report, 'The findings save')).to.equal(`The findings save about ${formatBytes(savings)} (estimated from wheel sizes): ${brings}`)
    })

    it('repeats the buildpack errors but not the compiled-size line already stated', () => {
      expect(report.notes.filter(n => n.startsWith('Build error:'))).to.deep.equal(['Build error: Push failed'])
      expect(note(report, 'Build:')).to.equal('Build: Python 3.12.3 (runtime.txt), on heroku-22, buildpacks: heroku/python.')
    })
  })

  it('says when the findings do not bring a build under the limit, with the numbers', () => {
    const log = parseBuildLog([
      '-----> Installing requirements with pip',
      '       Downloading xgboost-2.0.3-py3-none-manylinux2014_x86_64.whl (297.1 MB)',
      '       Downloading opencv_python-4.10.0.84-cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl (62.5 MB)',
      '       Downloading pytest-8.2.1-py3-none-any.whl (339 kB)',
      '       Successfully installed opencv-python-4.10.0.84 pytest-8.2.1 xgboost-2.0.3',
      '-----> Compressing...',
      ' !     Compiled slug size: 912.4M is too large (max is 500M).',
    ].join('\n'))
    const report = reportFromBuildLog(log, {app: 'example-app', buildId: 'b'})
    expect(report.findings.map(f => f.id).sort()).to.deep.equal(['dev-package:pytest', 'heavy-package:opencv-python'])
    const savings = savingsOf(report)
    expect(savings).to.be.within(0.339e6, 62.5e6 + 0.339e6)
    const after = 912.4e6 - savings
    expect(after - 500e6).to.be.greaterThan(350e6)
    const still = `the slug would still be about ${formatBytes(after)}, ${formatBytes(after - 500e6)} over the 500 MB limit; more has to go.`
    expect(note(report, 'The findings save')).to.equal(`The findings save about ${formatBytes(savings)} (estimated from wheel sizes): ${still}`)
    expect(report.packages[0]).to.deep.include({compressed: 297.1e6, name: 'xgboost'})
  })

  it('says when no finding applies to an over-limit build', () => {
    const log = parseBuildLog('Downloading xgboost-2.0.3-py3-none-manylinux2014_x86_64.whl (297.1 MB)\n !     Compiled slug size: 612.4M is too large (max is 500M).\n')
    const report = reportFromBuildLog(log, {})
    expect(report.findings).to.deep.equal([])
    expect(note(report, 'No finding applies')).to.equal('No finding applies to these packages: 112 MB has to go some other way (see the largest packages).')
  })

  it('cuda-torch.log: the torch finding takes the CUDA wheels with it and the build comes under', () => {
    const report = reportOf('cuda-torch.log')
    expect(report.totals.compressed).to.equal(2.9e9)
    const torch = report.findings.find(f => f.id === 'heavy-package:torch')!
    expect(torch.packages).to.include.members(['torch', 'nvidia-cudnn-cu12', 'nvidia-cublas-cu12', 'triton'])
    // every CUDA wheel (1,876.8 MB) plus triton (168.1 MB) goes, and the CPU torch wheel is smaller than the CUDA one
    expect(torch.savings).to.be.greaterThan(1_876_822_000 + 168.1e6)
    expect(note(report, 'The findings save')).to.match(/brings the slug to about .*, .* under the 500 MB limit\.$/)
    expect(report.packages.slice(0, 3).map(p => p.name)).to.deep.equal(['torch', 'nvidia-cudnn-cu12', 'nvidia-cublas-cu12'])
  })

  it('soft-limit.log: the warning, the sdist caveat, and where the findings leave it against the warning', () => {
    const report = reportOf('soft-limit.log')
    expect(report.totals.compressed).to.equal(367.9e6)
    expect(note(report, 'Heroku warned')).to.equal('Heroku warned that the slug (367 MB) exceeds its 300 MB soft limit, which may slow dyno boots.')
    expect(note(report, 'Built from source archives')).to.equal('Built from source archives, sized by the archive (a rough estimate): antlr4-python3-runtime.')
    // torch is already the +cpu build: no torch finding but ONNX Runtime's, if the app only runs inference
    expect(report.findings.map(f => f.id)).to.deep.equal(['inference-runtime:pytorch', 'heavy-package:opencv-python'])
    expect(note(report, 'The findings save')).to.match(/still over the 300 MB warning\.$/)
  })

  it('truncated.log: sums the wheels as an estimate and says where the log stops', () => {
    const report = reportOf('truncated.log')
    expect(report.totals.compressed).to.equal(1_557_405_000)
    expect(note(report, 'The log has no slug size')).to.match(/sum of the wheels, an estimate/)
    expect(note(report, 'The wheels alone')).to.equal('The wheels alone add up to 1.6 GB: 1.1 GB over the 500 MB limit.')
    const wheel = 'nvidia_cudnn_cu12-8.9.2.26-py3-none-manylinux1_x86_64.whl'
    const rest = 'anything pip would have installed after that point is missing.'
    expect(note(report, 'The log ends')).to.equal(`The log ends before the build finished (while downloading ${wheel}): ${rest}`)
  })

  it('success.log: the .slugignore deletions and no limit notes', () => {
    const report = reportOf('success.log')
    expect(note(report, 'Heroku deleted')).to.equal('Heroku deleted 12 file(s) matching .slugignore patterns before the build.')
    expect(note(report, 'Wheels account for')).to.match(/^Wheels account for 33.6 MB of the 87.4 MB;/)
    expect(report.notes.some(n => n.includes('limit'))).to.equal(false)
  })

  describe('packagesFromLog', () => {
    it('matches a downloaded wheel to the installed version by PEP 440 (1.0 is 1.0.0), not by text', () => {
      const log = parseBuildLog([
        'Downloading six-1.0.0-py2.py3-none-any.whl (11 kB)',
        'Successfully installed six-1.0',
      ].join('\n'))
      expect(packagesFromLog(log).packages.map(p => [p.name, p.version, p.compressed])).to.deep.equal([['six', '1.0', 11_000]])
    })

    it('keeps only the versions pip installed, and names installed packages without a size', () => {
      const log = parseBuildLog([
        'Downloading tensorflow-2.16.1-cp312-cp312-manylinux_2_17_x86_64.whl (589.8 MB)',
        'Downloading tensorflow-2.15.0-cp312-cp312-manylinux_2_17_x86_64.whl (475.2 MB)',
        'Downloading pyyaml-6.0.tar.gz (124 kB)',
        'Downloading PyYAML-6.0-cp312-cp312-manylinux_2_17_x86_64.whl (757 kB)',
        'Successfully installed PyYAML-6.0 tensorflow-2.15.0 local-pkg-0.1.0',
      ].join('\n'))
      const found = packagesFromLog(log)
      expect(found.packages.map(p => [p.name, p.version, p.compressed])).to.deep.equal([
        ['tensorflow', '2.15.0', 475.2e6],
        ['pyyaml', '6.0', 757_000],
        ['local-pkg', '0.1.0', 0],
      ])
      expect(found.discarded.map(d => d.file)).to.deep.equal(['tensorflow-2.16.1-cp312-cp312-manylinux_2_17_x86_64.whl'])
      expect(found.unsized).to.deep.equal(['local-pkg'])
      expect(found.sdists).to.deep.equal([])
      const report = reportFromBuildLog(log, {})
      expect(note(report, '1 downloaded archive(s) were not installed')).to.match(/tensorflow-2\.16\.1/)
      expect(note(report, 'The log gives no download size')).to.equal('The log gives no download size for 1 installed package(s), shown as 0 B: local-pkg.')
    })

    it('counts every download, last per name, when nothing was installed yet', () => {
      const log = parseBuildLog('Downloading a-1.0-py3-none-any.whl (1.0 MB)\nDownloading a-2.0-py3-none-any.whl (2.0 MB)\nDownloading b-1.0-py3-none-any.whl (5 kB)\n')
      expect(packagesFromLog(log).packages.map(p => [p.name, p.version, p.size])).to.deep.equal([['a', '2.0', 2e6], ['b', '1.0', 5000]])
    })
  })

  it('limitVerdict: over, savings and where they leave the slug', () => {
    expect(limitVerdict(712.4e6, 405e6, 500e6)).to.deep.equal({after: 307.4e6, afterVsLimit: -192.6e6, limit: 500e6, over: 212.4e6, savings: 405e6, total: 712.4e6})
    expect(limitVerdict(400e6, 500e6, 500e6)).to.deep.include({after: 0, over: 0})
  })
})
