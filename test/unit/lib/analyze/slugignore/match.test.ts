import {expect} from 'chai'

import {applySlugignore, createSlugignoreMatcher, parseSlugignore} from '../../../../../src/lib/analyze/slugignore/match.js'

const REPO = [
  'Procfile',
  'requirements.txt',
  'app.py',
  'docs/index.md',
  'src/docs/api.md',
  'analysis.ipynb',
  'src/exploration/eda.ipynb',
  'data/train.csv',
  'src/data/lookup.json',
  'database.py',
  'notebooks/a.py',
  'src/notebooks/b.py',
  'notebooks.txt',
  'reports/2024/q1.csv',
  'tests/test_app.py',
  'tests/unit/test_model.py',
  'src/tests/helper.py',
  'keep/readme.md',
  'Makefile',
]

describe('analyze/slugignore/match', () => {
  describe('parseSlugignore', () => {
    it('skips comments and blank lines, reads anchoring and directory-only rules with their line numbers', () => {
      const {rules, warnings} = parseSlugignore('#comment\n\n/docs\n*.ipynb\r\nnotebooks/\ntests/**\n  data  \n')
      expect(warnings).to.have.length(1)
      expect(warnings[0]).to.match(/line 5: "notebooks\/" removes every folder named notebooks at any depth/)
      expect(rules.map(r => [r.line, r.pattern, r.anchored, r.directoryOnly, r.glob])).to.deep.equal([
        [3, '/docs', true, false, '/docs'],
        [4, '*.ipynb', false, false, '**/*.ipynb'],
        [5, 'notebooks/', false, true, '**/notebooks/'],
        [6, 'tests/**', true, false, '/tests/**'],
        [7, 'data', false, false, '**/data'],
      ])
    })

    it('reports a negation as unsupported and drops it', () => {
      const {rules, warnings} = parseSlugignore('*.md\n!keep/readme.md\n')
      expect(rules.map(r => r.pattern)).to.deep.equal(['*.md'])
      expect(warnings).to.have.length(1)
      expect(warnings[0]).to.match(/line 2: "!keep\/readme\.md" is a negation, which Heroku does not support/)
    })

    it('warns about a rule that names nothing', () => {
      const {rules, warnings} = parseSlugignore('/\n')
      expect(rules).to.deep.equal([])
      expect(warnings[0]).to.match(/line 1: "\/" names no file/)
    })
  })

  describe('createSlugignoreMatcher, Heroku\'s docs (gitignore) reading', () => {
    it('anchors a pattern with a slash at the root', () => {
      const m = createSlugignoreMatcher('/docs\n', 'docs')
      expect(m('docs/index.md')).to.equal(true)
      expect(m('src/docs/api.md')).to.equal(false)
    })

    it('matches a pattern without a slash at any depth, as a file or a directory name', () => {
      const m = createSlugignoreMatcher('*.ipynb\ndata\n', 'docs')
      expect(m('analysis.ipynb')).to.equal(true)
      expect(m('src/exploration/eda.ipynb')).to.equal(true)
      expect(m('data/train.csv')).to.equal(true)
      expect(m('src/data/lookup.json')).to.equal(true)
      expect(m('database.py')).to.equal(false)
    })

    it('matches a trailing-slash pattern only as a directory', () => {
      const m = createSlugignoreMatcher('notebooks/\n', 'docs')
      expect(m('notebooks/a.py')).to.equal(true)
      expect(m('src/notebooks/b.py')).to.equal(true)
      expect(m('notebooks.txt')).to.equal(false)
      expect(createSlugignoreMatcher('Makefile/\n', 'docs')('Makefile')).to.equal(false)
    })

    it('supports **, ?, and [...] globs', () => {
      const m = createSlugignoreMatcher('**/*.csv\ntests/**\nsrc/t?sts/\n[Mm]akefile\n', 'docs')
      expect(m('data/train.csv')).to.equal(true)
      expect(m('reports/2024/q1.csv')).to.equal(true)
      expect(m('tests/unit/test_model.py')).to.equal(true)
      expect(m('src/tests/helper.py')).to.equal(true)
      expect(m('Makefile')).to.equal(true)
      expect(m('app.py')).to.equal(false)
    })

    it('is case-sensitive, as on Heroku\'s Linux builders', () => {
      expect(createSlugignoreMatcher('*.CSV\n', 'docs')('data/train.csv')).to.equal(false)
    })

    it('never un-ignores with a negation', () => {
      const m = createSlugignoreMatcher('keep/\n!keep/readme.md\n', 'docs')
      expect(m('keep/readme.md')).to.equal(true)
    })

    it('accepts ./ and / prefixed paths', () => {
      const m = createSlugignoreMatcher('/docs\n', 'docs')
      expect(m('./docs/index.md')).to.equal(true)
      expect(m('/docs/index.md')).to.equal(true)
    })

    it('removes nothing without rules', () => {
      expect(createSlugignoreMatcher('# nothing\n', 'docs')('docs/index.md')).to.equal(false)
    })
  })

  describe('createSlugignoreMatcher, Heroku\'s slug compiler reading (prune_slugignore, Ruby Dir glob)', () => {
    it('splits the whole file on whitespace and cuts each token at its first #', () => {
      const m = createSlugignoreMatcher('# remove old stuff\nkeep#this is\n', 'compiler')
      expect(m('old/a.py')).to.equal(true)
      expect(m('src/stuff')).to.equal(true)
      expect(m('keep/x')).to.equal(true)
      expect(m('is')).to.equal(true)
      expect(m('this/x')).to.equal(false)
      expect(m('app.py')).to.equal(false)
    })

    it('anchors any token with a / at the root, and globs the others at every depth', () => {
      const m = createSlugignoreMatcher('docs/\ntests\n', 'compiler')
      expect(m('docs/index.md')).to.equal(true)
      expect(m('src/docs/api.md')).to.equal(false)
      expect(m('src/tests/helper.py')).to.equal(true)
    })

    it('splits on ASCII whitespace only, as Ruby\'s String#split does: a no-break space stays inside the name', () => {
      const m = createSlugignoreMatcher('/caf\u00E9\u00A0menu.pdf\n', 'compiler')
      expect(m('caf\u00E9\u00A0menu.pdf')).to.equal(true)
      expect(createSlugignoreMatcher('/caf\u00E9\u00A0menu.pdf\n', 'both')('caf\u00E9\u00A0menu.pdf')).to.equal(true)
      expect(parseSlugignore('/caf\u00E9\u00A0menu.pdf\n').warnings).to.deep.equal([])
    })

    it('reads a ** not followed by / as *, as Ruby\'s Dir glob does: docs/** keeps docs/.nojekyll and docs itself', () => {
      const m = createSlugignoreMatcher('docs/**\n', 'compiler')
      expect(m('docs/index.md')).to.equal(true)
      expect(m('docs/api/v1.md')).to.equal(true)
      expect(m('docs/.nojekyll')).to.equal(false)
      expect(createSlugignoreMatcher('docs/**\n', 'both')('docs/.nojekyll')).to.equal(false)
    })

    it('skips dotfiles and dot folders with wildcards, as Ruby\'s Dir glob does, but not with a literal name', () => {
      const m = createSlugignoreMatcher('*.log\n.env\n', 'compiler')
      expect(m('app.log')).to.equal(true)
      expect(m('logs/app.log')).to.equal(true)
      expect(m('.hidden.log')).to.equal(false)
      expect(m('.cache/app.log')).to.equal(false)
      expect(m('sub/.env')).to.equal(true)
    })
  })

  describe('both readings', () => {
    it('removes by default only what both readings remove; either and each reading on request', () => {
      const text = 'docs/\n*.log\n'
      const paths = ['docs/a.md', 'src/docs/b.md', 'x.log', '.hidden.log']
      const removedUnder = (reading: 'both' | 'compiler' | 'docs' | 'either') => paths.filter(p => createSlugignoreMatcher(text, reading)(p))
      expect(removedUnder('both')).to.deep.equal(['docs/a.md', 'x.log'])
      expect(createSlugignoreMatcher(text)('src/docs/b.md')).to.equal(false)
      expect(removedUnder('docs')).to.deep.equal(paths)
      expect(removedUnder('compiler')).to.deep.equal(['docs/a.md', 'x.log'])
      expect(removedUnder('either')).to.deep.equal(paths)
    })

    it('warns, with both meanings, about multi-word comments, spaces and # inside patterns, and docs/-style folders', () => {
      const {warnings} = parseSlugignore('#fine\n# remove old stuff\nmy file.txt\nfoo#bar\ndocs/\n/root/\n*.log\n')
      expect(warnings).to.have.length(4)
      expect(warnings[0]).to.equal('.slugignore line 2: the comment "# remove old stuff" is a comment in Heroku\'s docs, but its slug compiler splits the file on whitespace and reads "remove", "old", "stuff" as pattern(s) that remove files of that name at any depth; write comments without spaces (#like-this).')
      expect(warnings[1]).to.match(/^\.slugignore line 3: Heroku's docs read the one pattern "my file.txt", its slug compiler .* reads the pattern\(s\) "my", "file.txt"\.$/)
      expect(warnings[2]).to.match(/^\.slugignore line 4: Heroku's docs read the one pattern "foo#bar", its slug compiler .* reads the pattern\(s\) "foo"\.$/)
      expect(warnings[3]).to.match(/^\.slugignore line 5: "docs\/" removes every folder named docs at any depth in Heroku's docs, but only \/docs\/ at the repo root for its slug compiler/)
    })
  })

  it('reads a hostile line (a long run of slashes) in linear time', () => {
    const line = `a${'/'.repeat(200_000)}b/\n`
    const started = Date.now()
    expect(parseSlugignore(line).warnings).to.deep.equal(['.slugignore line 1: a pattern longer than 4096 characters names no file and is ignored'])
    expect(createSlugignoreMatcher(line, 'either')('a/b/x')).to.equal(false)
    createSlugignoreMatcher(`a${'/'.repeat(4000)}b/\n`, 'either')('a/b/x')
    expect(Date.now() - started).to.be.lessThan(1000)
  })

  describe('applySlugignore', () => {
    it('splits paths and credits each removed file to the first rule that matches it', () => {
      const text = '/docs\n*.ipynb\ndata\nnotebooks/\n**/*.csv\ntests/**\n!keep\n'
      const {byRule, kept, oneReading, removed, warnings} = applySlugignore(REPO, text)
      expect(kept).to.deep.equal([
        'Procfile',
        'requirements.txt',
        'app.py',
        'src/docs/api.md',
        'database.py',
        'src/notebooks/b.py',
        'notebooks.txt',
        'src/tests/helper.py',
        'keep/readme.md',
        'Makefile',
      ])
      expect(removed).to.have.length(REPO.length - kept.length)
      // notebooks/ reaches src/notebooks/ in the docs' reading only: kept in the prediction, and said so
      expect(oneReading).to.deep.equal([{path: 'src/notebooks/b.py', removedBy: 'docs'}])
      expect(warnings).to.deep.equal(['.slugignore line 4: "notebooks/" removes src/notebooks/b.py under Heroku\'s docs, not under its slug compiler (whose Ruby Dir glob skips dotfiles and dot folders, and anchors a pattern with a "/" at the root): the savings count only what both remove.'])
      expect(Object.fromEntries(byRule)).to.deep.equal({
        '**/*.csv': ['reports/2024/q1.csv'],
        '*.ipynb': ['analysis.ipynb', 'src/exploration/eda.ipynb'],
        '/docs': ['docs/index.md'],
        data: ['data/train.csv', 'src/data/lookup.json'],
        'notebooks/': ['notebooks/a.py'],
        'tests/**': ['tests/test_app.py', 'tests/unit/test_model.py'],
      })
    })

    it('keeps everything when the file has no rules', () => {
      const {byRule, kept, removed} = applySlugignore(REPO, '')
      expect(kept).to.deep.equal(REPO)
      expect(removed).to.deep.equal([])
      expect(byRule.size).to.equal(0)
    })
  })
})
