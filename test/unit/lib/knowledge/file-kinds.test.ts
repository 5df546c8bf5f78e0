import {expect} from 'chai'

import {categoryOf} from '../../../../src/lib/analyze/categories.js'
import {BUILD_INPUT_FILES, isBuildInput, SOURCE_EXTENSIONS, TEST_DIRS} from '../../../../src/lib/knowledge/file-kinds.js'
import {buildInputReason, candidateKind} from '../../../../src/lib/plan/diet/repo-candidates.js'
import {isReferenceSource} from '../../../../src/lib/plan/diet/references.js'

// The report's categories and the .slugignore planner read one table each question: they cannot disagree.
describe('knowledge/file-kinds', () => {
  it('a source or template file is app code in the report and a reference source for the planner, whatever its language', () => {
    for (const extension of SOURCE_EXTENSIONS) {
      const path = `views/page${extension}`
      expect(categoryOf(path, 1000), path).to.equal('app-code')
      expect(isReferenceSource(path, 1000), path).to.equal(true)
    }

    for (const template of ['views/index.pug', 'templates/page.twig', 'views/card.hbs', 'views/a.ejs', 'theme/x.liquid', 'views/m.mustache']) {
      expect(categoryOf(template, 1000), template).to.equal('app-code')
    }
  })

  it('a build input is app code in the report and never removable by the planner, at the root or (lock files) anywhere', () => {
    for (const name of BUILD_INPUT_FILES) {
      expect(categoryOf(name, 100), name).to.equal('app-code')
      expect(buildInputReason(name), name).to.be.a('string')
    }

    for (const lock of ['yarn.lock', 'frontend/package-lock.json', 'pnpm-lock.yaml', 'Gemfile.lock', 'uv.lock']) {
      expect(isBuildInput(lock), lock).to.equal(true)
      expect(buildInputReason(lock), lock).to.match(/is a build input|is a lock file/)
    }

    expect(isBuildInput('docs/requirements.txt')).to.equal(false)
  })

  it('a test folder is tests for both', () => {
    for (const dir of TEST_DIRS) {
      expect(categoryOf(`${dir}/helpers.py`, 100), dir).to.equal('tests')
      expect(candidateKind(`${dir}/helpers.py`, 100, {keepTests: false, models: new Set(), offloaded: new Set()}), dir).to.equal('tests')
    }
  })
})
