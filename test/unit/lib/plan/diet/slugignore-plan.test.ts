import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {readReferenceTexts} from '../../../../../src/lib/plan/diet/references.js'
import {BLOCK_BEGIN, BLOCK_END, managedRules} from '../../../../../src/lib/analyze/slugignore/file.js'
import {planSlugignore, type SlugignorePlanInput, usesHerokuCi} from '../../../../../src/lib/plan/diet/slugignore-plan.js'
import {listRepoFiles} from '../../../../../src/lib/source/repo-files.js'
import {applySlugignore, createSlugignoreMatcher} from '../../../../../src/lib/analyze/slugignore/match.js'
import {BUILD_INPUTS, REPO_FILES, REPO_TEXTS} from './fixture-repo.js'
import {row} from './helpers.js'

const USER_SLUGIGNORE = '# my own rules\n*.log\n/scratch/\n'
const GOLDEN = 'test/fixtures/diet/slugignore.golden'

function input(extra: Partial<SlugignorePlanInput> = {}): SlugignorePlanInput {
  return {
    files: [], keepTests: false, models: ['models/classifier.h5'], offloaded: [], repoFiles: REPO_FILES, slugignore: USER_SLUGIGNORE, texts: REPO_TEXTS,
    ...extra,
  }
}

const removedBy = (text: string) => applySlugignore(REPO_FILES.map(f => f.path), text).removed

describe('planSlugignore', () => {
  it('proposes anchored literal rules (a whole folder where it can) for CI, data, docs, tests, notebooks and large files (golden)', () => {
    const plan = planSlugignore(input())
    expect(plan.text!).to.equal(readFileSync(GOLDEN, 'utf8'))
    expect(plan.items.map(i => i.rule)).to.deep.equal(['/.github/', '/.vscode/', '/datasets/', '/docs/', '/tests/', '/pkg/tests/', '/analysis.ipynb', '/big.bin', '/notebooks/eda.ipynb'])
    // every rule means the same under Heroku's docs and its slug compiler
    for (const rule of plan.rules) {
      const docs = createSlugignoreMatcher(rule, 'docs')
      const compiler = createSlugignoreMatcher(rule, 'compiler')
      expect(REPO_FILES.filter(f => docs(f.path)), rule).to.deep.equal(REPO_FILES.filter(f => compiler(f.path)))
    }

    expect(plan.text!.startsWith(USER_SLUGIGNORE)).to.equal(true)
  })

  it('keeps a rule the user typed inside the plugin\'s block: moved above the block, and says so; the plugin\'s own rules there are rewritten', () => {
    const typed = `${USER_SLUGIGNORE}${BLOCK_BEGIN}\n/docs/\n/scripts/migrate.py\n*.tmp\n/gone.csv\n${BLOCK_END}\n`
    const plan = planSlugignore(input({slugignore: typed}))
    const [above, block] = plan.text!.split(`${BLOCK_BEGIN}\n`)
    expect(above).to.equal(`${USER_SLUGIGNORE}\n/scripts/migrate.py\n*.tmp\n`)
    expect(block).to.contain('/docs/\n')
    expect(block).not.to.contain('/scripts/migrate.py')
    expect(block).not.to.contain('/gone.csv')
    expect(plan.notes).to.include('.slugignore: "/scripts/migrate.py", "*.tmp" are rules you typed inside the plugin\'s block, which slug:diet rewrites: kept, moved above the block.')
    // a second run keeps the file as it is
    expect(planSlugignore(input({slugignore: plan.text})).text).to.equal(plan.text)
  })

  it('removes exactly the promised files, checked with the shared matcher on the whole repo', () => {
    const plan = planSlugignore(input())
    const promised = plan.items.flatMap(i => i.files).sort()
    const userRemoved = new Set(removedBy(USER_SLUGIGNORE))
    expect(removedBy(plan.text!).filter(p => !userRemoved.has(p)).sort()).to.deep.equal(promised)
    for (const item of plan.items) {
      const matches = createSlugignoreMatcher(item.rule)
      expect(REPO_FILES.filter(f => matches(f.path)).map(f => f.path).sort()).to.deep.equal([...item.files].sort())
    }
  })

  it('never removes a build input, even when it looks like data', () => {
    const removed = new Set(removedBy(planSlugignore(input()).text!))
    for (const path of BUILD_INPUTS) expect(removed.has(path), path).to.equal(false)
    expect(planSlugignore(input()).heldBack.find(h => h.path === 'bin/seed.csv')?.reason).to.match(/bin\//)
  })

  it('never removes a file the Procfile names, or one the code mentions by path or by folder', () => {
    const plan = planSlugignore(input())
    const held = Object.fromEntries(plan.heldBack.map(h => [h.path, h.reason]))
    expect(held['seeds/initial.csv']).to.equal('Procfile mentions "seeds/initial.csv"')
    expect(held['data/lookup.csv']).to.equal('app.py mentions "data/lookup.csv"')
    expect(held['exports/2024.csv']).to.equal('jobs/worker.py mentions "exports"')
    expect(held['data/raw/big.parquet']).to.equal('app.py mentions "data"')
    const removed = new Set(removedBy(plan.text!))
    for (const path of Object.keys(held)) expect(removed.has(path), path).to.equal(false)
  })

  it('never proposes media a web app may serve, or a model that is not offloaded', () => {
    const removed = new Set(removedBy(planSlugignore(input()).text!))
    for (const path of ['static/brochure.pdf', 'static/logo.png', 'notebooks/figures/plot.png', 'models/classifier.h5']) {
      expect(removed.has(path), path).to.equal(false)
    }

    const plan = planSlugignore(input())
    expect(plan.modelsToOffload.paths).to.deep.equal(['models/classifier.h5'])
    expect(plan.notes.join(' ')).to.match(/slug:offload-models/)
  })

  it('writes no negation and skips names .slugignore cannot express', () => {
    const plan = planSlugignore(input())
    expect(plan.rules.some(r => r.startsWith('!'))).to.equal(false)
    expect(plan.heldBack.find(h => h.path === 'weird name[1].csv')?.reason).to.equal('.slugignore cannot name it in one rule both of Heroku\'s readings agree on: it has a space or another blank, which Heroku\'s slug compiler splits into separate patterns')
  })

  it('keeps tests for Heroku CI, and then what the tests mention stays too', () => {
    const plan = planSlugignore(input({keepTests: true}))
    const removed = new Set(removedBy(plan.text!))
    expect(removed.has('tests/test_app.py')).to.equal(false)
    expect(removed.has('pkg/tests/test_x.py')).to.equal(false)
    expect(plan.heldBack.find(h => h.path === 'datasets/train.csv')?.reason).to.equal('tests/test_app.py mentions "datasets/train.csv"')
    expect(plan.notes.some(n => /Heroku CI/.test(n))).to.equal(true)
  })

  it('reads Heroku CI from app.json environments.test', () => {
    expect(usesHerokuCi('{"environments": {"test": {"scripts": {"test": "pytest"}}}}')).to.equal(true)
    expect(usesHerokuCi('{"name": "x"}')).to.equal(false)
    expect(usesHerokuCi()).to.equal(false)
    expect(usesHerokuCi('{not json')).to.equal(true)
  })

  it('ignores test-tool settings when searching for mentions', () => {
    // setup.cfg [tool:pytest] says "testpaths = tests": that is for pytest, not the app.
    expect(planSlugignore(input()).items.some(i => i.rule === '/tests/')).to.equal(true)
  })

  it('removes offloaded models, although the code loads them, and keeps offload-models\' own rules', () => {
    const existing = `${USER_SLUGIGNORE}${BLOCK_BEGIN}\nmodels/classifier.h5\n${BLOCK_END}\n`
    const plan = planSlugignore(input({offloaded: ['models/classifier.h5'], slugignore: existing}))
    expect(plan.rules).to.include('/models/classifier.h5')
    expect(plan.rules).not.to.include('/models/')
    expect(removedBy(plan.text!)).to.include('models/classifier.h5')
    expect(plan.modelsToOffload.paths).to.deep.equal([])
    const fresh = planSlugignore(input({offloaded: ['models/classifier.h5']}))
    expect(fresh.items.find(i => i.kinds.includes('offloaded-model'))?.rule).to.equal('/models/')
  })

  it('keeps the rules slug:convert-models wrote for the models it converted, and proposes none of its own for them', () => {
    const existing = `${USER_SLUGIGNORE}${BLOCK_BEGIN}\n/models/classifier.h5\n${BLOCK_END}\n`
    const plan = planSlugignore(input({converted: ['models/classifier.h5'], slugignore: existing}))
    expect(plan.rules).to.include('/models/classifier.h5')
    expect(removedBy(plan.text!)).to.include('models/classifier.h5')
    expect(plan.notes.join(' ')).not.to.match(/stay until they are offloaded/)
    // without the record of the conversion, the rule is slug:diet's to drop, as before
    expect(planSlugignore(input({slugignore: existing})).rules).not.to.include('/models/classifier.h5')
    expect(planSlugignore(input({converted: ['models/classifier.h5']})).rules).not.to.include('/models/classifier.h5')
  })

  it('takes a small converted model\'s rule for its own, not for one the user typed in the block', () => {
    const small = {
      converted: ['models/small.h5'],
      models: ['models/classifier.h5', 'models/small.h5'],
      repoFiles: [...REPO_FILES, {path: 'models/small.h5', size: 30_000}, {path: 'models/small.onnx', size: 12_000}],
      slugignore: `${BLOCK_BEGIN}\n/models/small.h5\n${BLOCK_END}\n`,
    }
    const plan = planSlugignore(input(small))
    expect(plan.rules).to.include('/models/small.h5')
    expect(plan.notes.join(' ')).not.to.match(/you typed inside the plugin's block/)
  })

  it('counts savings from the evidence\'s compressed shares of the removed files', () => {
    const files = [row('docs/design.psd', 30e6, {compressed: 29e6}), row('docs/screenshots/home.png', 4e5, {compressed: 3e5}), row('big.bin', 20e6, {compressed: 1e6})]
    const plan = planSlugignore(input({files}))
    expect(plan.items.find(i => i.rule === '/docs/')?.compressed).to.equal(29.3e6)
    expect(plan.savings).to.equal(30.3e6)
  })

  it('is idempotent: planning on its own output gives the same bytes', () => {
    const once = planSlugignore(input()).text!
    expect(planSlugignore(input({slugignore: once})).text).to.equal(once)
    expect(managedRules(once)).to.have.length(9)
  })

  it('warns when the user\'s own rules remove a build input or use a negation', () => {
    const plan = planSlugignore(input({slugignore: '*.lock\n!keep.csv\n'}))
    expect(plan.notes).to.include('Your .slugignore removes poetry.lock (poetry.lock is a build input): the build or the dyno may need it.')
    expect(plan.notes.some(n => /negation/.test(n))).to.equal(true)
    expect(plan.text!.startsWith('*.lock\n!keep.csv\n')).to.equal(true)
  })

  it('counts the user\'s rules for what both readings remove, and warns with both meanings', () => {
    const plan = planSlugignore(input({slugignore: '# old notes here\ntests/\n'}))
    // tests/ is every tests folder in the docs, only the root one for the slug compiler: pkg/tests/ is still proposed
    expect(plan.items.map(i => i.rule)).to.include('/pkg/tests/')
    expect(plan.items.map(i => i.rule)).not.to.include('/tests/')
    expect(plan.notes).to.include('.slugignore line 2: "tests/" removes pkg/tests/test_x.py under Heroku\'s docs, not under its slug compiler (whose Ruby Dir glob skips dotfiles and dot folders, and anchors a pattern with a "/" at the root): the savings count only what both remove.')
    expect(plan.notes.some(n => n.startsWith('.slugignore line 1: the comment "# old notes here"'))).to.equal(true)
    expect(plan.notes.some(n => n.startsWith('.slugignore line 2: "tests/" removes every folder named tests at any depth in Heroku\'s docs'))).to.equal(true)
  })

  it('never creates an empty .slugignore, and says so', () => {
    const plan = planSlugignore(input({models: [], repoFiles: REPO_FILES.filter(f => f.path === 'app.py'), slugignore: undefined}))
    expect(plan.text).to.equal(undefined)
    expect(plan.notes).to.include('No .slugignore rule to write: no .slugignore file is created.')
    const emptied = planSlugignore(input({models: [], repoFiles: REPO_FILES.filter(f => f.path === 'app.py'), slugignore: `${BLOCK_BEGIN}\n/gone/\n${BLOCK_END}\n`}))
    expect(emptied.text).to.equal(undefined)
    expect(emptied.notes.join(' ')).to.match(/it is removed/)
  })

  it('does not propose what the user\'s rules already remove', () => {
    const plan = planSlugignore(input({slugignore: '/docs/\n'}))
    expect(plan.items.some(i => i.files.some(f => f.startsWith('docs/')))).to.equal(false)
  })
})

describe('planSlugignore on a git repository', function () {
  this.timeout(60_000)
  let dir: string

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'diet-repo-'))
    execFileSync('git', ['init', '-q', dir])
    for (const file of REPO_FILES) {
      const path = join(dir, file.path)
      mkdirSync(dirname(path), {recursive: true})
      if (REPO_TEXTS[file.path] === undefined) {
        writeFileSync(path, '')
        truncateSync(path, file.size)
      } else {
        writeFileSync(path, REPO_TEXTS[file.path])
      }
    }

    writeFileSync(join(dir, '.slugignore'), USER_SLUGIGNORE)
    execFileSync('git', ['-C', dir, 'add', '-A'])
  })

  after(() => rmSync(dir, {force: true, recursive: true}))

  it('the written .slugignore removes exactly the promised files and every build input stays', async () => {
    const repoFiles = await listRepoFiles(dir)
    const texts = await readReferenceTexts(dir, repoFiles)
    const plan = planSlugignore({files: [], keepTests: false, models: ['models/classifier.h5'], offloaded: [], repoFiles, slugignore: readFileSync(join(dir, '.slugignore'), 'utf8'), texts})
    writeFileSync(join(dir, '.slugignore'), plan.text!)
    const after = applySlugignore((await listRepoFiles(dir)).map(f => f.path), readFileSync(join(dir, '.slugignore'), 'utf8'))
    const userRemoved = new Set(applySlugignore(repoFiles.map(f => f.path), USER_SLUGIGNORE).removed)
    expect(after.removed.filter(p => !userRemoved.has(p)).sort()).to.deep.equal(plan.items.flatMap(i => i.files).sort())
    for (const path of [...BUILD_INPUTS, '.slugignore', 'app.py', 'jobs/worker.py', 'templates/index.html']) expect(after.kept, path).to.include(path)
  })
})
