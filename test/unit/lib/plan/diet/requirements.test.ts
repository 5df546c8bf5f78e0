import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {packageFindings} from '../../../../../src/lib/analyze/package-findings.js'
import type {Finding, PackageRow} from '../../../../../src/lib/analyze/rows.js'
import {adviseDeclared, planRequirements, type RequirementsPlanInput, TORCH_CPU_INDEX} from '../../../../../src/lib/plan/diet/requirements.js'
import {UserError} from '../../../../../src/lib/shared/errors.js'

const FIXTURES = 'test/fixtures/diet'

function installed(name: string, version: string, compressed = 1000): PackageRow {
  return {compressed, ecosystem: 'python', evidence: 'installed', files: 10, name, size: compressed * 3, version}
}

function finding(id: string, savings: number, estimated = true): Finding {
  return {estimated, evidence: [], id, kind: 'heavy-package', remedy: '', savings, severity: 'high', source: `https://example.org/${id}`, title: id}
}

function dev(id: string, savings: number, command: string): Finding {
  return {...finding(id, savings, false), command, kind: 'dev-package'}
}

const PACKAGES = [
  installed('numpy', '1.26.4'),
  installed('pandas', '2.2.1'),
  installed('opencv-python', '4.9.0.80'),
  installed('gunicorn', '21.2.0'),
  installed('pytest', '8.0.0', 500_000),
  installed('tensorflow', '2.16.1'),
  installed('Flask', '3.0.0'),
]
const FINDINGS = [finding('heavy-package:tensorflow', 300e6), finding('heavy-package:opencv-python', 10e6)]

/** A wheel a build log names, with its size. */
const wheel = (name: string, compressed: number): PackageRow => ({compressed, ecosystem: 'python', evidence: 'build-log', files: 1, name, size: compressed})

function input(extra: Partial<RequirementsPlanInput> = {}): RequirementsPlanInput {
  return {findings: FINDINGS, packages: PACKAGES, path: 'requirements.txt', text: readFileSync(`${FIXTURES}/requirements.in.txt`, 'utf8'), ...extra}
}

describe('planRequirements', () => {
  it('swaps, pins and moves dev packages, keeping comments, markers and options (golden)', () => {
    const plan = planRequirements(input())
    expect(plan.text).to.equal(readFileSync(`${FIXTURES}/requirements.golden.txt`, 'utf8'))
    expect(plan.devText).to.equal(readFileSync(`${FIXTURES}/requirements-dev.golden.txt`, 'utf8'))
    expect(plan.changes.map(c => `${c.kind}:${c.package}`)).to.deep.equal([
      'swap:tensorflow', 'pin:numpy', 'pin:pandas', 'swap:opencv-python', 'move-dev:pytest', 'move-dev:black', 'pin:gunicorn',
    ])
  })

  it('carries each change\'s savings and says when they are estimates', () => {
    const plan = planRequirements(input())
    const tf = plan.changes.find(c => c.package === 'tensorflow')!
    expect([tf.savings, tf.estimated, tf.source]).to.deep.equal([300e6, true, 'https://example.org/heavy-package:tensorflow'])
    const pytest = plan.changes.find(c => c.package === 'pytest')!
    expect([pytest.savings, pytest.estimated]).to.deep.equal([500_000, false])
    expect(plan.changes.find(c => c.package === 'black')!.estimated).to.equal(true)
    expect(plan.savings).to.equal(300e6 + 10e6 + 500_000 + plan.changes.find(c => c.package === 'black')!.savings)
  })

  it('is idempotent: the rewritten file needs no further change', () => {
    const once = planRequirements(input())
    const again = planRequirements(input({devText: once.devText, text: once.text!}))
    expect(again.changes).to.deep.equal([])
    expect(again.text).to.equal(undefined)
  })

  it('appends to an existing dev file without repeating what it lists', () => {
    const plan = planRequirements(input({devText: '-r requirements.txt\nblack==24.1.0\n'}))
    expect(plan.devText).to.equal('-r requirements.txt\nblack==24.1.0\npytest==8.0.0\n')
  })

  it('moves PyTorch to the CPU index with +cpu versions and drops CUDA wheels', () => {
    const text = '# ml\ntorch\ntorchvision==0.18.0\nnvidia-cudnn-cu12==8.9.2.26\nrequests==2.31.0\n'
    const plan = planRequirements(input({findings: [finding('heavy-package:torch', 2e9)], packages: [installed('torch', '2.3.0')], text}))
    expect(plan.text).to.equal(`# ml\n--extra-index-url ${TORCH_CPU_INDEX}\ntorch==2.3.0+cpu\ntorchvision==0.18.0+cpu\nrequests==2.31.0\n`)
    expect(plan.savings).to.equal(2e9)
    expect(planRequirements(input({packages: [installed('torch', '2.3.0+cpu')], text: plan.text!})).changes).to.deep.equal([])
  })

  it('drops GPU-only extras in a swap (tensorflow[and-cuda] -> tensorflow-cpu)', () => {
    const plan = planRequirements(input({text: 'tensorflow[and-cuda,foo]==2.16.1 ; sys_platform == "linux"\n'}))
    expect(plan.text).to.equal('tensorflow-cpu[foo]==2.16.1; sys_platform == "linux"\n')
  })

  it('counts the CUDA wheels that leave with the [and-cuda] extra in the tensorflow -> tensorflow-cpu saving', () => {
    const packages = [wheel('tensorflow', 590e6), wheel('nvidia-cublas-cu12', 400e6), wheel('nvidia-cudnn-cu12', 600e6)]
    const findings = packageFindings(packages, {dependents: new Map([['nvidia-cublas-cu12', ['tensorflow']], ['nvidia-cudnn-cu12', ['tensorflow']]])})
    const plan = planRequirements(input({findings, packages, text: 'tensorflow[and-cuda]==2.16.1\n'}))
    expect(plan.text).to.equal('tensorflow-cpu==2.16.1\n')
    expect(plan.changes.map(c => [c.kind, c.savings])).to.deep.equal([['swap', (590e6 * (1 - (214 / 590))) + 1000e6]])
  })

  it('keeps GPU builds when the app runs on GPUs, but still swaps GUI-only OpenCV', () => {
    const plan = planRequirements(input({gpu: true}))
    expect(plan.text).to.contain('tensorflow==2.16.1  # the model')
    expect(plan.text).to.contain('opencv-python-headless==4.9.0.80')
  })

  it('does not move a dev package another requirement depends on', () => {
    const plan = planRequirements(input({packages: [], text: 'tensorflow-cpu==2.16.1\ntensorboard==2.16.2\n'}))
    expect(plan.changes).to.deep.equal([])
  })

  it('takes a dev package\'s savings from its finding, and leaves it when a production package needs it', () => {
    const plan = planRequirements(input({
      findings: [dev('dev-package:pytest', 900_000, 'heroku slug:diet --fix-requirements'), dev('dev-package:black', 1, 'heroku slug:diet --post-compile')],
      text: 'pytest==8.0.0\nblack==24.1.0\n',
    }))
    expect(plan.changes.map(c => [c.package, c.savings])).to.deep.equal([['pytest', 900_000]])
  })

  it('never rewrites a file with --hash lines, and says why', () => {
    const text = 'numpy==1.26.4 --hash=sha256:aaaa\ntensorflow==2.16.1 --hash=sha256:bbbb\n'
    const plan = planRequirements(input({text}))
    expect(plan.text).to.equal(undefined)
    expect(plan.devText).to.equal(undefined)
    expect(plan.blocked).to.match(/--hash/)
    expect(plan.changes.map(c => c.package)).to.deep.equal(['tensorflow'])
  })

  it('refuses a swap that installed packages block, names them, and never writes it', () => {
    const blocked = {...finding('heavy-package:tensorflow', 0), blockedBy: ['my-models', 'tf-keras']}
    const plan = planRequirements(input({findings: [blocked, finding('heavy-package:opencv-python', 10e6)], text: 'tensorflow==2.16.1\nopencv-python\n'}))
    expect(plan.changes.map(c => `${c.kind}:${c.package}`)).to.deep.equal(['swap:opencv-python'])
    expect(plan.text).to.equal('tensorflow==2.16.1\nopencv-python-headless==4.9.0.80\n')
    expect(plan.refused).to.deep.equal([{
      line: 1,
      package: 'tensorflow',
      requiredBy: ['my-models', 'tf-keras'],
      to: 'tensorflow-cpu',
      why: 'requirements.txt line 1: tensorflow is not swapped for tensorflow-cpu: my-models and tf-keras require tensorflow, so pip would install both and the slug would grow. Replace or drop my-models and tf-keras first, then run slug:diet again.',
    }])
  })

  it('refuses a swap the requirements file itself blocks (tf-keras listed), even with no slug to read', () => {
    const plan = planRequirements(input({findings: [], packages: [], text: 'tensorflow\ntf-keras==2.16.0\n'}))
    expect(plan.changes).to.deep.equal([])
    expect(plan.text).to.equal(undefined)
    expect(plan.refused!.map(r => [r.package, r.requiredBy])).to.deep.equal([['tensorflow', ['tf-keras']]])
  })

  it('still pins a package whose swap is refused', () => {
    const blocked = {...finding('heavy-package:tensorflow', 0), blockedBy: ['tf-keras']}
    const plan = planRequirements(input({findings: [blocked], text: 'tensorflow\n'}))
    expect(plan.text).to.equal('tensorflow==2.16.1\n')
    expect(plan.refused).to.have.length(1)
  })

  it('rejects a file pip cannot read with a one-line error', () => {
    expect(() => planRequirements(input({text: 'flask==3.0\nthis is not a requirement!\n'}))).to.throw(UserError, /requirements.txt line 2/)
  })
})

const declared = (name: string): PackageRow => ({compressed: 0, ecosystem: 'python', evidence: 'requirement', files: 0, name, size: 0})

describe('adviseDeclared', () => {
  it('advises pyproject and Pipfile changes without rewriting them, and skips requirements files', () => {
    const advice = adviseDeclared([
      {file: 'pyproject.toml', manager: 'poetry', packages: [declared('tensorflow'), declared('torch'), declared('pytest'), declared('flask')]},
      {file: 'requirements.txt', manager: 'pip', packages: [declared('tensorflow')]},
    ])
    expect(advice).to.deep.equal([
      'pyproject.toml: replace tensorflow with tensorflow-cpu (same version), then relock with poetry.',
      `pyproject.toml: take torch from the CPU index ${TORCH_CPU_INDEX} (a package source for torch), then relock with poetry.`,
      'pyproject.toml: move pytest to a development group or optional extra, which a Heroku build does not install, then relock with poetry.',
    ])
  })

  it('does not advise a swap another declared package blocks', () => {
    const advice = adviseDeclared([{file: 'pyproject.toml', manager: 'pep621', packages: [declared('tensorflow'), declared('tensorflow-text')]}])
    expect(advice).to.deep.equal([
      'pyproject.toml: tensorflow is not swapped for tensorflow-cpu: tensorflow-text requires tensorflow, so pip would install both and the slug would grow. Replace or drop tensorflow-text first.',
    ])
  })
})
