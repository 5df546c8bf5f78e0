import {expect} from 'chai'

import {describeEvidence} from '../../../../src/lib/analyze/report.js'

describe('analyze/report: describeEvidence', () => {
  it('names the evidence a report was really read from', () => {
    const build = '22222222-2222-4222-8222-222222222222'
    // an app whose newest build failed: its log, not "the slug of" the app
    expect(describeEvidence({kind: 'build-log', source: {app: 'tf-demo', buildId: build, stack: 'heroku-24'}})).to.equal(`the build log of build ${build} of tf-demo`)
    expect(describeEvidence({kind: 'build-log', source: {file: 'push.log'}})).to.equal('the build log push.log')
    expect(describeEvidence({kind: 'slug', source: {app: 'tf-demo', release: 42, slugId: 's'}})).to.equal('the slug of tf-demo v42')
    expect(describeEvidence({kind: 'slug', source: {app: 'tf-demo', slugId: 's-1'}})).to.equal('slug s-1 of tf-demo')
    expect(describeEvidence({kind: 'slug', source: {file: 'slug.tgz'}})).to.equal('the slug file slug.tgz')
    expect(describeEvidence({kind: 'repo', source: {dir: '/src/app'}})).to.equal('the repo /src/app (predicted)')
  })

  it('styles the app name as asked', () => {
    expect(describeEvidence({kind: 'slug', source: {app: 'a', release: 1}}, app => `<${app}>`)).to.equal('the slug of <a> v1')
  })
})
