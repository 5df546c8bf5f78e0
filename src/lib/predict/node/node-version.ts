import semver from 'semver'

import {DEFAULT_NODE_RANGE, NODE_RELEASES} from '../../knowledge/node-runtime.js'

export interface NodeChoice {
  /** the release the buildpack would install */
  version: string
  major: number
  /** what selected it: package.json's engines.node, or the buildpack's default */
  range: string
  source: string
}

const releases = (): string[] => Object.values(NODE_RELEASES).flatMap(line => line.split(' '))

/**
 * The Node.js release the buildpack installs for `engines.node`: the newest release the range allows (the
 * buildpack resolves it with semver against every release), the default LTS line without one. A string when
 * no release matches: the build would fail.
 */
export function chooseNode(enginesNode?: string): NodeChoice | string {
  const requested = enginesNode?.trim()
  const range = requested || DEFAULT_NODE_RANGE.range
  const source = requested ? `engines.node "${requested}" in package.json` : `no engines.node: the buildpack's default, ${DEFAULT_NODE_RANGE.range}`
  if (semver.validRange(range) === null) return `engines.node "${range}" is not a semver range the buildpack can resolve`
  const version = semver.maxSatisfying(releases(), range)
  if (!version) return `no Node.js release matches engines.node "${range}" (the build would fail)`
  return {major: semver.major(version), range, source, version}
}
