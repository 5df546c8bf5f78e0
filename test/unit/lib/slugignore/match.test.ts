import {expect} from 'chai'

import {applySlugignore, createSlugignoreMatcher, parseSlugignore} from '../../../../src/lib/slugignore/match.js'

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

describe('slugignore/match', () => {
  describe('parseSlugignore', () => {
    it('skips comments and blank lines, reads anchoring and directory-only rules with their line numbers', () => {
      const {rules, warnings} = parseSlugignore('# comment\n\n/docs\n*.ipynb\r\nnotebooks/\ntests/**\n  data  \n')
      expect(warnings).to.deep.equal([])
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

  describe('createSlugignoreMatcher', () => {
    it('anchors a pattern with a slash at the root', () => {
      const m = createSlugignoreMatcher('/docs\n')
      expect(m('docs/index.md')).to.equal(true)
      expect(m('src/docs/api.md')).to.equal(false)
    })

    it('matches a pattern without a slash at any depth, as a file or a directory name', () => {
      const m = createSlugignoreMatcher('*.ipynb\ndata\n')
      expect(m('analysis.ipynb')).to.equal(true)
      expect(m('src/exploration/eda.ipynb')).to.equal(true)
      expect(m('data/train.csv')).to.equal(true)
      expect(m('src/data/lookup.json')).to.equal(true)
      expect(m('database.py')).to.equal(false)
    })

    it('matches a trailing-slash pattern only as a directory', () => {
      const m = createSlugignoreMatcher('notebooks/\n')
      expect(m('notebooks/a.py')).to.equal(true)
      expect(m('src/notebooks/b.py')).to.equal(true)
      expect(m('notebooks.txt')).to.equal(false)
      expect(createSlugignoreMatcher('Makefile/\n')('Makefile')).to.equal(false)
    })

    it('supports **, ?, and [...] globs', () => {
      const m = createSlugignoreMatcher('**/*.csv\ntests/**\nsrc/t?sts/\n[Mm]akefile\n')
      expect(m('data/train.csv')).to.equal(true)
      expect(m('reports/2024/q1.csv')).to.equal(true)
      expect(m('tests/unit/test_model.py')).to.equal(true)
      expect(m('src/tests/helper.py')).to.equal(true)
      expect(m('Makefile')).to.equal(true)
      expect(m('app.py')).to.equal(false)
    })

    it('is case-sensitive, as on Heroku\'s Linux builders', () => {
      expect(createSlugignoreMatcher('*.CSV\n')('data/train.csv')).to.equal(false)
    })

    it('never un-ignores with a negation', () => {
      const m = createSlugignoreMatcher('keep/\n!keep/readme.md\n')
      expect(m('keep/readme.md')).to.equal(true)
    })

    it('accepts ./ and / prefixed paths', () => {
      const m = createSlugignoreMatcher('/docs\n')
      expect(m('./docs/index.md')).to.equal(true)
      expect(m('/docs/index.md')).to.equal(true)
    })

    it('removes nothing without rules', () => {
      expect(createSlugignoreMatcher('# nothing\n')('docs/index.md')).to.equal(false)
    })
  })

  describe('applySlugignore', () => {
    it('splits paths and credits each removed file to the first rule that matches it', () => {
      const text = '/docs\n*.ipynb\ndata\nnotebooks/\n**/*.csv\ntests/**\n!keep\n'
      const {byRule, kept, removed} = applySlugignore(REPO, text)
      expect(kept).to.deep.equal([
        'Procfile',
        'requirements.txt',
        'app.py',
        'src/docs/api.md',
        'database.py',
        'notebooks.txt',
        'src/tests/helper.py',
        'keep/readme.md',
        'Makefile',
      ])
      expect(removed).to.have.length(REPO.length - kept.length)
      expect(Object.fromEntries(byRule)).to.deep.equal({
        '**/*.csv': ['reports/2024/q1.csv'],
        '*.ipynb': ['analysis.ipynb', 'src/exploration/eda.ipynb'],
        '/docs': ['docs/index.md'],
        data: ['data/train.csv', 'src/data/lookup.json'],
        'notebooks/': ['notebooks/a.py', 'src/notebooks/b.py'],
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
