import {expect} from 'chai'

import {chooseAppEvidence} from '../../../../src/lib/source/app-evidence.js'

function build(id: string, status: 'failed' | 'pending' | 'succeeded', createdAt: string) {
  return {created_at: createdAt, id, source_blob: {}, status, updated_at: createdAt, user: {}}
}

const release = {created_at: '2026-11-20T12:00:00Z', current: true, status: 'succeeded' as const, version: 41}

describe('source/app-evidence', () => {
  it('inspects the failed build when it is newer than the current release, and names that release', () => {
    const failed = build('b2', 'failed', '2026-11-25T09:00:00Z')
    const evidence = chooseAppEvidence({builds: [build('b1', 'succeeded', '2026-11-20T11:55:00Z'), failed], currentRelease: release})
    expect(evidence).to.deep.equal({build: failed, kind: 'build', previous: release})
  })

  it('inspects the failed build of an app that never released', () => {
    const failed = build('b1', 'failed', '2026-11-25T09:00:00Z')
    expect(chooseAppEvidence({builds: [failed]})).to.deep.equal({build: failed, kind: 'build', previous: undefined})
  })

  it('keeps the slug when the failed build is older than the current release (a later promotion or rollback)', () => {
    expect(chooseAppEvidence({builds: [build('b1', 'failed', '2026-11-19T09:00:00Z')], currentRelease: release})).to.deep.equal({kind: 'slug'})
  })

  it('keeps the slug when the newest build succeeded, or there are no builds', () => {
    expect(chooseAppEvidence({builds: [build('b1', 'failed', '2026-11-19T09:00:00Z'), build('b2', 'succeeded', '2026-11-25T09:00:00Z')], currentRelease: release}))
    .to.deep.equal({kind: 'slug'})
    expect(chooseAppEvidence({builds: [], currentRelease: release})).to.deep.equal({kind: 'slug'})
  })

  it('keeps the slug but reports a build still running', () => {
    const pending = build('b3', 'pending', '2026-11-25T09:00:00Z')
    expect(chooseAppEvidence({builds: [pending], currentRelease: release})).to.deep.equal({buildInProgress: pending, kind: 'slug'})
  })
})
