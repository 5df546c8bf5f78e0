import {expect} from 'chai'

import {analyzeScan} from '../../../../src/lib/analyze/analyze.js'
import {COMMANDS} from '../../../../src/lib/analyze/findings.js'
import {knowledgeFindings, packageFindings} from '../../../../src/lib/analyze/package-findings.js'
import type {Analysis, FileRow, Finding, PackageRow} from '../../../../src/lib/analyze/rows.js'
import {classify} from '../../../../src/lib/analyze/classify.js'
import {planPostCompile} from '../../../../src/lib/analyze/prunable.js'
import {HDF5_PEEK, ScanBuilder, SITE} from '../../../helpers/scan-fixtures.js'

/** A TensorFlow + PyTorch app the way people push them: every kind of finding at once. */
function mlSlug() {
  return new ScanBuilder()
  .dist('tensorflow', '2.16.1', {
    'tensorflow/__init__.py': 2000,
    'tensorflow/python/_pywrap_tensorflow_internal.so': 300_000_000,
    'tensorflow/python/tests/test_ops.py': 500_000,
  })
  .dist('tensorboard', '2.16.2', {'tensorboard/__init__.py': 1000, 'tensorboard/webfiles.zip': 4_000_000})
  .dist('torch', '2.5.1', {
    'torch/__init__.py': 3000,
    'torch/lib/libc10_cuda.so': 1_000_000,
    'torch/lib/libtorch_cpu.so': 150_000_000,
    'torch/lib/libtorch_cuda.so': 400_000_000,
  })
  .dist('nvidia-cublas-cu12', '12.4.5.8', {'nvidia/cublas/lib/libcublas.so.12': 90_000_000})
  .dist('nvidia-cudnn-cu12', '9.1.0.70', {'nvidia/cudnn/lib/libcudnn.so.9': 200_000_000})
  .dist('triton', '3.1.0', {'triton/_C/libtriton.so': 80_000_000})
  .dist('opencv-python', '4.10.0.84', {'cv2/cv2.abi3.so': 20_000_000, 'opencv_python.libs/libQt5Gui.so.5': 8_000_000})
  .dist('pandas', '2.2.2', {
    'pandas/core/frame.py': 300_000,
    'pandas/tests/frame/test_frame.py': 2_000_000,
    'pandas/tests/io/test_csv.py': 1_000_000,
  })
  .dist('numpy', '1.26.4', {
    'numpy/core/_multiarray_umath.so': 10_000_000,
    'numpy/core/tests/test_multiarray.py': 400_000,
    'numpy/testing/_private/utils.py': 100_000,
  })
  .dist('pytest', '8.2.0', {'_pytest/main.py': 300_000, 'pytest/__init__.py': 1000})
  .dist('jupyterlab', '4.2.1', {'jupyterlab/static/main.js': 6_000_000, 'jupyterlab/tests/test_app.py': 200_000})
  .dist('some-pkg', '1.0', {'some_pkg/weights.onnx': 2_000_000})
  .file('.heroku/python/bin/python3.12', 5_000_000)
  .file('models/classifier.h5', 95_000_000, {peek: HDF5_PEEK})
  .file('models/sentiment/saved_model.pb', 400_000)
  .file('models/sentiment/variables/variables.data-00000-of-00001', 80_000_000)
  .file('models/sentiment/variables/variables.index', 20_000)
  .file('models/README.md', 100)
  .file('models/tiny.pkl', 500, {peek: Buffer.from([0x80, 0x04, 0x95, 0, 0, 0])})
  .file('data/train.csv', 30_000_000)
  .file('data/valid.csv', 5_000_000)
  .file('notebooks/explore.ipynb', 3_000_000)
  .file('notebooks/.ipynb_checkpoints/explore-checkpoint.ipynb', 3_000_000)
  .file('docs/manual.pdf', 12_000_000)
  .file('tests/test_app.py', 10_000)
  .file('app.py', 2000)
  .file('requirements.txt', 100)
  .file('Procfile', 20)
  .outsideEntry('./tmp/build.log', 20_000, 5000)
  .build()
}

function find(findings: Finding[], id: string): Finding {
  const finding = findings.find(f => f.id === id)
  expect(finding, id).to.not.equal(undefined)
  return finding!
}

/** Which findings would remove each file: a package finding covers its packages' files, a path finding its paths. */
function coverage(files: FileRow[], findings: Finding[]): Map<string, string[]> {
  const covered = new Map<string, string[]>()
  for (const f of files) {
    const by: string[] = []
    for (const finding of findings) {
      const name = f.package?.replace(/^python:/, '')
      const inPackages = finding.kind !== 'package-tests' && name !== undefined && f.package!.startsWith('python:') && finding.packages?.includes(name)
      const inPaths = finding.paths?.some(p => (p.endsWith('/') ? f.path.startsWith(p) : f.path === p))
      if (inPackages || inPaths) by.push(finding.id)
    }

    covered.set(f.path, by)
  }

  return covered
}

describe('analyzeScan findings', () => {
  const scan = mlSlug()
  const analysis: Analysis = analyzeScan(scan, {depth: 2, top: 10})
  const {findings} = analysis

  it('replaces CUDA torch by the CPU build: measured CUDA libraries inside torch plus every CUDA wheel', () => {
    const torch = find(findings, 'heavy-package:torch')
    expect(torch.savings).to.equal(401_000_000 + 90_000_002 + 200_000_002 + 80_000_002)
    expect(torch.estimated).to.equal(false)
    expect(torch.command).to.equal(COMMANDS.fixRequirements)
    expect(torch.packages).to.have.members(['torch', 'nvidia-cublas-cu12', 'nvidia-cudnn-cu12', 'triton'])
    expect(torch.source).to.match(/^https:\/\/pytorch\.org\//)
    expect(findings.some(f => f.kind === 'cuda-on-dyno')).to.equal(false)
  })

  it('estimates tensorflow -> tensorflow-cpu from the measured share and the wheel ratio', () => {
    const tf = find(findings, 'heavy-package:tensorflow')
    expect(tf.savings).to.equal(Math.round(300_502_002 * (1 - (214 / 590))))
    expect(tf.estimated).to.equal(true)
    expect(tf.severity).to.equal('high')
    expect(tf.remedy).to.include('ai-edge-litert')
    const opencv = find(findings, 'heavy-package:opencv-python')
    expect(opencv.savings).to.equal(Math.round(28_000_002 * (1 - (49.9 / 62.5))))
  })

  it('flags dev-only packages at their measured share; tensorboard (pulled by tensorflow) goes to post_compile', () => {
    expect(find(findings, 'dev-package:pytest')).to.include({command: COMMANDS.fixRequirements, estimated: false, savings: 301_002})
    expect(find(findings, 'dev-package:jupyterlab').savings).to.equal(6_200_002)
    const tensorboard = find(findings, 'dev-package:tensorboard')
    expect(tensorboard).to.include({command: COMMANDS.postCompile, savings: 4_001_002})
    expect(tensorboard.evidence.join('\n')).to.include('required by tensorflow')
  })

  it('counts test folders only inside packages no other finding removes', () => {
    const tests = find(findings, 'package-tests')
    expect(tests.paths).to.deep.equal([`${SITE}/numpy/core/tests/`, `${SITE}/pandas/tests/`])
    expect(tests.savings).to.equal(3_400_000)
    expect(tests.command).to.equal(COMMANDS.postCompile)
    expect(tests.packages).to.deep.equal(['pandas', 'numpy'])
  })

  it('sends repo models to slug:offload-models, a SavedModel folder as one unit; not models inside packages', () => {
    const models = find(findings, 'model-in-repo')
    expect(models.paths).to.deep.equal(['models/classifier.h5', 'models/sentiment/'])
    expect(models.savings).to.equal(95_000_000 + 80_420_000)
    expect(models.command).to.equal(COMMANDS.offloadModels)
  })

  it('sends data, notebooks, docs and caches in the repo to slug:diet, as the fewest paths', () => {
    expect(find(findings, 'data-in-repo')).to.deep.include({paths: ['data/'], savings: 35_000_000, command: COMMANDS.diet})
    expect(find(findings, 'notebooks-in-repo')).to.deep.include({paths: ['notebooks/explore.ipynb'], savings: 3_000_000})
    expect(find(findings, 'caches')).to.deep.include({paths: ['notebooks/.ipynb_checkpoints/'], savings: 3_000_000})
    expect(find(findings, 'docs-media-in-repo')).to.deep.include({paths: ['docs/'], savings: 12_000_000})
  })

  it('never sends build output to .slugignore: a Puppeteer download, a Next.js or webpack cache is written by the build', () => {
    const scan = new ScanBuilder()
    .file('.cache/puppeteer/chrome/linux-131.0.6778.85/chrome-linux64/chrome', 150_000_000)
    .file('.next/cache/webpack/client-production/0.pack', 20_000_000)
    .file('node_modules/.cache/babel-loader/a.json', 2_000_000)
    .file('.cache/pip-notes/a.txt', 300_000)
    .file('server.js', 1000)
    .build()
    const {findings: found} = analyzeScan(scan, {depth: 2, top: 5})
    const caches = found.find(f => f.kind === 'caches')
    expect(caches?.paths ?? []).to.deep.equal(['.cache/pip-notes/'])
    const repoKinds = new Set(['caches', 'data-in-repo', 'docs-media-in-repo', 'model-in-repo', 'notebooks-in-repo'])
    const slugignored = found.filter(f => repoKinds.has(f.kind)).flatMap(f => f.paths ?? [])
    for (const built of ['.cache/puppeteer/', '.next/', 'node_modules/']) expect(slugignored.filter(p => built.startsWith(p) || p.startsWith(built)), built).to.deep.equal([])
    const browser = found.find(f => f.kind === 'browser-download')!
    expect(browser.paths).to.deep.equal(['.cache/puppeteer/'])
    expect(browser.remedy).to.include('.slugignore cannot reach it')
  })

  it('reports entries outside ./app as information', () => {
    const outside = find(findings, 'outside-app')
    expect(outside).to.include({savings: 5000, severity: 'low'})
    expect(outside.command).to.equal(undefined)
    expect(outside.evidence.join('\n')).to.include('./tmp/build.log')
  })

  it('sorts findings by savings and never counts a file twice', () => {
    const savings = findings.map(f => f.savings)
    expect(savings).to.deep.equal([...savings].sort((a, b) => b - a))
    const {files} = classify(scan)
    // A conditional finding (ONNX Runtime instead of the framework) is an alternative to the others: it overlaps them.
    const counted = findings.filter(f => !f.condition)
    const doubled = [...coverage(files, counted)].filter(([, by]) => by.length > 1)
    expect(doubled).to.deep.equal([])
    const total = counted.reduce((sum, f) => sum + f.savings, 0)
    expect(total).to.be.below(scan.compressedSize)
    for (const f of findings) {
      expect(f.evidence.length, f.id).to.be.greaterThan(0)
      expect(f.remedy, f.id).to.not.equal('')
      expect(f.source, f.id).to.match(/^https:\/\//)
    }
  })
})

function row(name: string, compressed: number, evidence: PackageRow['evidence'], version?: string): PackageRow {
  return {compressed, ecosystem: 'python', evidence, files: compressed > 0 ? 1 : 0, name, size: compressed, version}
}

describe('packageFindings (a package list alone)', () => {
  it('scales build-log wheel sizes by the knowledge table ratio', () => {
    const findings = packageFindings([row('tensorflow', 590_000_000, 'build-log', '2.16.1')]).filter(f => !f.condition)
    expect(findings).to.have.length(1)
    expect(findings[0]).to.include({estimated: true, id: 'heavy-package:tensorflow', savings: 376_000_000})
  })

  it('uses the table figures for bare requirements, CUDA dependencies included for torch', () => {
    const findings = packageFindings([row('torch', 0, 'requirement'), row('pytest', 0, 'requirement'), row('flask', 0, 'requirement')])
    expect(find(findings, 'heavy-package:torch')).to.include({estimated: true, savings: 906e6 - 175e6 + 2090e6})
    expect(find(findings, 'dev-package:pytest')).to.include({estimated: true, savings: 350_000})
    expect(findings).to.have.length(2)
  })

  it('takes the CUDA wheels of a build log as measured, apart from tensorflow', () => {
    const findings = packageFindings([
      row('tensorflow', 590_000_000, 'build-log'),
      row('nvidia-cublas-cu12', 400_000_000, 'build-log'),
      row('nvidia-cudnn-cu12', 600_000_000, 'build-log'),
    ])
    expect(findings.filter(f => !f.condition).map(f => f.id)).to.deep.equal(['cuda-on-dyno', 'heavy-package:tensorflow'])
    expect(find(findings, 'cuda-on-dyno')).to.deep.include({packages: ['nvidia-cudnn-cu12', 'nvidia-cublas-cu12'], savings: 1_000_000_000})
  })

  it('counts the CUDA wheels tensorflow[and-cuda] pulls in the tensorflow -> tensorflow-cpu saving, not those another package needs', () => {
    const rows = [
      row('tensorflow', 590_000_000, 'build-log'),
      row('nvidia-cublas-cu12', 400_000_000, 'build-log'),
      row('nvidia-cudnn-cu12', 600_000_000, 'build-log'),
      row('nvidia-cuda-nvrtc-cu12', 20_000_000, 'build-log'),
      row('jax', 2_000_000, 'build-log'),
    ]
    const dependents = new Map([
      ['nvidia-cublas-cu12', ['nvidia-cudnn-cu12', 'tensorflow']],
      ['nvidia-cuda-nvrtc-cu12', ['jax']],
      ['nvidia-cudnn-cu12', ['tensorflow']],
    ])
    const findings = packageFindings(rows, {dependents})
    const tensorflow = find(findings, 'heavy-package:tensorflow')
    expect(tensorflow.packages).to.deep.equal(['tensorflow', 'nvidia-cudnn-cu12', 'nvidia-cublas-cu12'])
    expect(tensorflow.savings).to.equal((590_000_000 * (1 - (214 / 590))) + 1_000_000_000)
    expect(tensorflow.evidence.at(-1)).to.match(/^2 CUDA packages it pulls: 1\.0 GB/)
    expect(find(findings, 'cuda-on-dyno')).to.deep.include({packages: ['nvidia-cuda-nvrtc-cu12'], savings: 20_000_000})
  })

  it('says nothing about a CPU build of torch', () => {
    // (only ONNX Runtime instead of torch, if the app only runs inference)
    expect(packageFindings([row('torch', 180_000_000, 'build-log', '2.5.1+cpu')]).map(f => f.id)).to.deep.equal(['inference-runtime:pytorch'])
    expect(packageFindings([row('torch', 180_000_000, 'installed', '2.5.1')]).map(f => f.id)).to.deep.equal(['inference-runtime:pytorch'])
  })

  it('keeps GPU packages when the app runs on GPUs, and still flags the rest', () => {
    const findings = packageFindings(
      [row('torch', 900e6, 'build-log'), row('nvidia-cudnn-cu12', 600e6, 'build-log'), row('opencv-python', 62e6, 'build-log'), row('black', 2e6, 'build-log')],
      {gpu: true},
    )
    expect(findings.map(f => f.id)).to.deep.equal(['heavy-package:opencv-python', 'dev-package:black'])
  })
})

/** TensorFlow with packages that may require it (Requires-Dist as given). */
function tensorflowWith(dependents: Record<string, string[]>, requirements?: string) {
  const slug = new ScanBuilder().dist('tensorflow', '2.18.0', {'tensorflow/__init__.py': 2000, 'tensorflow/python/_pywrap_tensorflow_internal.so': 300_000_000})
  for (const [name, requires] of Object.entries(dependents)) slug.dist(name, '1.0', {[`${name.replaceAll('-', '_')}/__init__.py`]: 1000}, {requires})
  if (requirements !== undefined) slug.text('requirements.txt', requirements)
  return analyzeScan(slug.build(), {depth: 2, top: 5}).findings
}

describe('swaps another installed package blocks', () => {
  it('refuses tensorflow -> tensorflow-cpu while tf-keras requires tensorflow: pip would install both', () => {
    const tf = find(tensorflowWith({'tf-keras': ['tensorflow<2.19,>=2.18']}), 'heavy-package:tensorflow')
    expect(tf.blockedBy).to.deep.equal(['tf-keras'])
    expect(tf.savings).to.equal(0)
    expect(tf.command).to.equal(undefined)
    expect(tf.title).to.equal('tensorflow -> tensorflow-cpu is blocked: tf-keras requires tensorflow')
    expect(tf.evidence.join('\n')).to.include('pip would install tensorflow as well as tensorflow-cpu')
    expect(tf.evidence.join('\n')).to.match(/once nothing requires tensorflow, the swap saves about 19\d(?:\.\d)? MB$/m)
    expect(tf.remedy).to.include('tf-keras')
  })

  it('names every dependent, from any installed distribution, not only the known ones', () => {
    const tf = find(tensorflowWith({'my-models': ['tensorflow (>=2.16)'], 'tensorflow-text': ['tensorflow<2.19,>=2.18; platform_machine != "arm64"']}), 'heavy-package:tensorflow')
    expect(tf.blockedBy).to.deep.equal(['my-models', 'tensorflow-text'])
    expect(tf.title).to.equal('tensorflow -> tensorflow-cpu is blocked: my-models and tensorflow-text require tensorflow')
  })

  it('does not count a requirement behind an extra nothing installs, or a marker that does not hold on a dyno', () => {
    const tf = find(tensorflowWith({keras: ['tensorflow; extra == "tensorflow"'], 'win-tool': ['tensorflow; sys_platform == "win32"']}), 'heavy-package:tensorflow')
    expect(tf.blockedBy).to.equal(undefined)
    expect(tf.savings).to.be.greaterThan(0)
    expect(tf.command).to.equal(COMMANDS.fixRequirements)
  })

  it('counts a requirement behind an extra that requirements.txt installs', () => {
    const tf = find(tensorflowWith({keras: ['tensorflow; extra == "tensorflow"']}, 'keras[TensorFlow]==3.6.0\n'), 'heavy-package:tensorflow')
    expect(tf.blockedBy).to.deep.equal(['keras'])
  })

  it('leaves a blocked package to the other findings: its test folders still count', () => {
    const slug = new ScanBuilder()
    .dist('tensorflow', '2.18.0', {'tensorflow/__init__.py': 2000, 'tensorflow/python/tests/test_ops.py': 500_000})
    .dist('tf-keras', '2.18.0', {'tf_keras/__init__.py': 1000}, {requires: ['tensorflow<2.19,>=2.18']})
    .build()
    const tests = find(analyzeScan(slug, {depth: 2, top: 5}).findings, 'package-tests')
    expect(tests.paths).to.deep.equal([`${SITE}/tensorflow/python/tests/`])
  })

  it('blocks from a package list alone with the projects known to require it (a repo, a build log)', () => {
    const tf = find(packageFindings([row('tensorflow', 0, 'requirement'), row('tf-keras', 0, 'requirement')]), 'heavy-package:tensorflow')
    expect(tf).to.deep.include({blockedBy: ['tf-keras'], savings: 0})
  })

  it('blocks opencv-python -> headless when a build log shows who required it', () => {
    const rows = [row('opencv-python', 62e6, 'build-log'), row('ultralytics', 1e6, 'build-log')]
    const opencv = find(packageFindings(rows, {dependents: new Map([['opencv-python', ['ultralytics']]])}), 'heavy-package:opencv-python')
    expect(opencv).to.deep.include({blockedBy: ['ultralytics'], savings: 0})
    expect(find(packageFindings(rows), 'heavy-package:opencv-python').savings).to.be.greaterThan(0)
  })

  it('never blocks torch: its CPU build keeps the name, so torchvision\'s `torch` requirement is met', () => {
    const findings = packageFindings([row('torch', 0, 'requirement'), row('torchvision', 0, 'requirement')], {dependents: new Map([['torch', ['torchvision']]])})
    expect(find(findings, 'heavy-package:torch').blockedBy).to.equal(undefined)
  })
})

describe('bin/post_compile findings: the rules and savings of slug:diet --post-compile', () => {
  /** A TensorFlow 2.21 app already on tensorflow-cpu: no swap left, only what post_compile prunes. */
  const scan = new ScanBuilder()
  .dist('tensorflow-cpu', '2.21.0', {
    'tensorflow/__init__.py': 2000,
    'tensorflow/include/Eigen/Core': 1_000_000,
    'tensorflow/include/tensorflow/core/framework/op.h': 30_800_000,
    'tensorflow/lite/libtflite_static.a': 300_000,
    'tensorflow/python/_pywrap_tensorflow_internal.so': 200_000_000,
  })
  .dist('numpy', '2.1.3', {
    'numpy/__init__.py': 1000,
    'numpy/_core/_multiarray_umath.so': 10_000_000,
    'numpy/_core/include/numpy/ndarraytypes.h': 500_000,
    'numpy/_core/tests/test_multiarray.py': 200_000,
  })
  .build()
  const {findings} = analyzeScan(scan, {depth: 2, top: 5})

  it('lists tensorflow/include as a finding, with its compressed saving', () => {
    const headers = find(findings, 'c-headers')
    expect(headers).to.deep.include({
      command: COMMANDS.postCompile,
      kind: 'installed-files',
      packages: ['tensorflow-cpu', 'numpy'],
      paths: [`${SITE}/numpy/_core/include/`, `${SITE}/tensorflow/include/`],
      savings: 31_800_000 + 500_000,
    })
    expect(headers.evidence[0]).to.equal('tensorflow-cpu: 31.8 MB compressed in 1 folder')
    expect(find(findings, 'static-libs')).to.deep.include({paths: [`${SITE}/tensorflow/lite/libtflite_static.a`], savings: 300_000})
    expect(find(findings, 'package-tests')).to.deep.include({kind: 'package-tests', paths: [`${SITE}/numpy/_core/tests/`], savings: 200_000})
  })

  it('has one finding per rule that saves bytes, with the saving the diet plan measures', () => {
    const plan = planPostCompile(classify(scan).files)
    const fromPlan = plan.items.filter(i => i.compressed > 0).map(i => [i.rule.id, i.compressed])
    const fromFindings = findings.filter(f => f.command === COMMANDS.postCompile).map(f => [f.id, f.savings])
    expect(fromFindings).to.have.deep.members(fromPlan)
    expect(fromPlan).to.have.length(3)
  })
})

describe('the ONNX Runtime finding (if the app only runs inference)', () => {
  it('counts the framework and what only it needs, less onnxruntime, outside the total', () => {
    const packages = [
      row('tensorflow-cpu', 276e6, 'installed', '2.21.0'),
      row('keras', 8e6, 'installed'),
      row('libclang', 25e6, 'installed'),
      row('grpcio', 6e6, 'installed'),
      row('flask', 1e6, 'installed'),
    ]
    const dependents = new Map([['grpcio', ['tensorflow-cpu']], ['keras', ['tensorflow-cpu']], ['libclang', ['tensorflow-cpu']]])
    const finding = knowledgeFindings(packages, {dependents, requested: ['flask', 'tensorflow-cpu']}).find(f => f.kind === 'inference-runtime')
    expect(finding).to.deep.include({
      command: 'heroku slug:convert-models',
      condition: 'if the app only runs inference',
      id: 'inference-runtime:tensorflow',
      packages: ['tensorflow-cpu', 'libclang', 'keras', 'grpcio'],
      savings: 276e6 + 8e6 + 25e6 + 6e6 - 25e6,
      title: 'If the app only runs inference with TensorFlow: ONNX Runtime would save ~290 MB',
    })
    // grpcio stays when the app's requirements name it
    const named = knowledgeFindings(packages, {dependents, requested: ['flask', 'grpcio']}).find(f => f.kind === 'inference-runtime')!
    expect(named.packages).to.not.include('grpcio')
  })

  it('is not made for a GPU app, nor for keras alone, nor below 50 MB', () => {
    expect(knowledgeFindings([row('torch', 900e6, 'installed')], {gpu: true}).filter(f => f.condition)).to.deep.equal([])
    expect(packageFindings([row('keras', 8e6, 'installed'), row('jax', 80e6, 'installed')]).filter(f => f.condition)).to.deep.equal([])
    expect(packageFindings([row('torch', 60e6, 'installed', '2.5.1+cpu')]).filter(f => f.condition)).to.deep.equal([])
  })
})
