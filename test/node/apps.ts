import {incompressible} from '../helpers/slug-builder.js'
import type {NodeSlugOptions} from '../helpers/node-slug.js'

/*
 * The test apps of the test:node suite, as built (test/helpers/node-slug.ts). One module so that every test asks
 * for the same build and the cache serves it.
 */

/** The Chrome for Testing build Puppeteer 25.19.0 pins (puppeteer-core's src/revisions.ts). */
export const PUPPETEER_CHROME = '158.0.8127.88'

export const EXPRESS_NEXT: NodeSlugOptions = {app: 'express-next'}
/** The same app built with NPM_CONFIG_PRODUCTION=false: the buildpack does not prune devDependencies. */
export const EXPRESS_NEXT_DEV: NodeSlugOptions = {app: 'express-next', keepDev: true}

/**
 * Puppeteer installed with PUPPETEER_SKIP_DOWNLOAD (no browser download can happen here), then the browser folders
 * laid where its .puppeteerrc.cjs says, at Puppeteer's layout, as stand-ins much smaller than the real ones
 * (Chrome for Testing is ~150 MB compressed): incompressible bytes, so their compressed share is their size.
 */
export const PUPPETEER_APP: NodeSlugOptions = {
  app: 'puppeteer-app',
  builtFiles: {
    [`.cache/puppeteer/chrome/linux-${PUPPETEER_CHROME}/chrome-linux64/chrome`]: incompressible(24_000_000, 7),
    [`.cache/puppeteer/chrome/linux-${PUPPETEER_CHROME}/chrome-linux64/resources.pak`]: incompressible(4_000_000, 8),
    [`.cache/puppeteer/chrome-headless-shell/linux-${PUPPETEER_CHROME}/chrome-headless-shell-linux64/chrome-headless-shell`]: incompressible(12_000_000, 9),
  },
  env: {PUPPETEER_SKIP_DOWNLOAD: 'true'},
}

/**
 * esbuild and @swc/core with the binaries of other platforms installed over the tree (what a node_modules built on a
 * Mac, or by an npm that ignored `libc`, holds): the dyno loads only linux-x64-gnu.
 */
export const BUILD_TOOLS: NodeSlugOptions = {
  app: 'build-tools',
  foreignPackages: ['@esbuild/darwin-arm64@0.28.2', '@swc/core-linux-x64-musl@1.16.22', '@swc/core-darwin-arm64@1.16.22'],
}

export const ALL_APPS = [EXPRESS_NEXT, EXPRESS_NEXT_DEV, PUPPETEER_APP, BUILD_TOOLS]

const RUBY = 'vendor/bundle/ruby/3.3.0'
const rubyText = (lines: number, word: string) => `${Array.from({length: lines}, (_, i) => `  def ${word}_${i}; end`).join('\n')}\n`

/**
 * A Rails app after the Node.js buildpack (esbuild built its assets, node_modules left) and the Ruby buildpack: gems
 * installed by Bundler into vendor/bundle with the .gem archives it keeps, Ruby in vendor/ruby-*, Bootsnap's
 * tmp/cache. No gem registry is reachable here: the Ruby side is the buildpack's layout written by the test, its
 * binaries and archives stand-ins of incompressible bytes; node_modules is a real npm install.
 */
export const RAILS_ASSETS: NodeSlugOptions = {
  app: 'rails-assets',
  builtFiles: {
    [`${RUBY}/cache/nokogiri-1.18.8-x86_64-linux-gnu.gem`]: incompressible(4_500_000, 11),
    [`${RUBY}/cache/puma-6.6.0.gem`]: incompressible(250_000, 12),
    [`${RUBY}/cache/rails-8.0.2.gem`]: incompressible(20_000, 13),
    [`${RUBY}/gems/nokogiri-1.18.8-x86_64-linux-gnu/lib/nokogiri.rb`]: rubyText(200, 'parse'),
    [`${RUBY}/gems/nokogiri-1.18.8-x86_64-linux-gnu/lib/nokogiri/3.3/nokogiri.so`]: incompressible(4_000_000, 14),
    [`${RUBY}/gems/puma-6.6.0/lib/puma.rb`]: rubyText(300, 'serve'),
    [`${RUBY}/gems/rails-8.0.2/lib/rails.rb`]: rubyText(50, 'boot'),
    [`${RUBY}/specifications/nokogiri-1.18.8-x86_64-linux-gnu.gemspec`]: 'Gem::Specification.new do |s|\n  s.name = "nokogiri"\nend\n',
    [`${RUBY}/specifications/puma-6.6.0.gemspec`]: 'Gem::Specification.new do |s|\n  s.name = "puma"\nend\n',
    [`${RUBY}/specifications/rails-8.0.2.gemspec`]: 'Gem::Specification.new do |s|\n  s.name = "rails"\nend\n',
    Gemfile: "source 'https://rubygems.org'\ngem 'rails', '8.0.2'\ngem 'puma'\n",
    'config.ru': "require_relative 'config/environment'\nrun Rails.application\n",
    'spec/models/user_spec.rb': incompressible(120_000, 15),
    'spec/system/signup_spec.rb': incompressible(60_000, 16),
    'tmp/cache/bootsnap/compile-cache-iseq/3a/9f1c2b': incompressible(900_000, 17),
    'vendor/ruby-3.3.8/bin/ruby': incompressible(3_000_000, 18),
  },
}
