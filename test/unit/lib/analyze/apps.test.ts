import {expect} from 'chai'

import {appSlug, appsOverBudget, rankApps, summarizeApps} from '../../../../src/lib/analyze/apps.js'
import {slugGrowth} from '../../../../src/lib/analyze/growth.js'

const MB = 1e6
const cedar = (name: string, size: null | number, extra: Record<string, unknown> = {}) =>
  appSlug({generation: {name: 'cedar'}, name, slug_size: size, stack: {name: 'heroku-24'}, ...extra})

describe('analyze/apps', () => {
  it('reads an app\'s slug: size and band, or why there is none (never 0)', () => {
    expect(cedar('web', 320 * MB, {team: {name: 'acme'}})).to.deep.equal({
      band: 'over-warning', generation: 'cedar', name: 'web', slugSize: 320 * MB, stack: 'heroku-24', team: 'acme',
    })
    expect(cedar('new', null)).to.include({noSlug: 'not-built', slugSize: null, team: null})
    const fir = appSlug({generation: {name: 'fir'}, name: 'cnb', slug_size: 0, stack: {name: 'heroku-24'}})
    expect(fir).to.include({generation: 'fir', noSlug: 'fir', slugSize: null})
    expect(fir).not.to.have.property('band')
    const docker = appSlug({build_stack: {name: 'container'}, name: 'box', slug_size: null, stack: {name: 'container'}})
    expect(docker).to.include({noSlug: 'container', slugSize: null, stack: 'container'})
  })

  it('ranks by slug size, then apps without a slug: never built, Fir, container', () => {
    const ranked = rankApps([
      appSlug({build_stack: {name: 'container'}, name: 'box'}),
      cedar('small', 10 * MB),
      appSlug({generation: 'fir', name: 'cnb'}),
      cedar('new', null),
      cedar('big', 480 * MB),
      cedar('also-small', 10 * MB),
    ])
    expect(ranked.map(a => a.name)).to.deep.equal(['big', 'also-small', 'small', 'new', 'cnb', 'box'])
  })

  it('counts the headline: over the warning (all of them), near the limit, over it, and the fastest growing', () => {
    const grown = (name: string, size: number, from: number, releases = 3) => ({
      ...cedar(name, size),
      history: slugGrowth(Array.from({length: releases}, (_, i) => ({size: i === releases - 1 ? size : from, slugId: `s${i}`, version: i + 1}))),
    })
    const summary = summarizeApps([
      grown('near', 470 * MB, 400 * MB),
      grown('over', 520 * MB, 500 * MB),
      grown('warn', 310 * MB, 230 * MB, 10),
      grown('shrunk', 100 * MB, 200 * MB),
      cedar('edge', 450 * MB),
      cedar('new', null),
    ])
    expect(summary).to.deep.equal({
      apps: 6,
      fastestGrowing: {app: 'warn', growth: 80 * MB, releases: 10},
      nearLimit: 1,
      overLimit: 1,
      overWarning: 4,
      withoutSlug: 1,
    })
    expect(summarizeApps([cedar('a', 10)])).not.to.have.property('fastestGrowing')
  })

  it('names the apps over a size or growth budget', () => {
    const apps = [
      {...cedar('big', 420 * MB), history: slugGrowth([{size: 360 * MB, slugId: 'a', version: 1}, {size: 420 * MB, slugId: 'b', version: 2}])},
      cedar('ok', 390 * MB),
      cedar('new', null),
    ]
    const over = appsOverBudget(apps, {maxGrowth: 50 * MB, maxSize: 400 * MB})
    expect(over.overSize.map(a => a.name)).to.deep.equal(['big'])
    expect(over.overGrowth.map(a => a.name)).to.deep.equal(['big'])
    expect(appsOverBudget(apps, {})).to.deep.equal({overGrowth: [], overSize: []})
  })
})
