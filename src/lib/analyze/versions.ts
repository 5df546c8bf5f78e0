import {compare as comparePep440, explain} from '@renovatebot/pep440'

import type {Ecosystem} from './rows.js'

/** A version's dot-separated parts: the leading number, and what follows it ("0rc1" -> 0, "rc1"). */
function parts(version: string): Array<{num: number; rest: string}> {
  return version.split(/[.-]/).map(p => {
    const m = /^(\d*)(.*)$/.exec(p)!
    return {num: m[1] === '' ? -1 : Number(m[1]), rest: m[2]}
  })
}

/** A part one version lacks: "2.16" is "2.16.0". */
const MISSING = {num: 0, rest: ''}

/**
 * The ordering for versions that are not PEP 440 (npm, gems, whatever a package.json says): numbers compare
 * as numbers (2.10 > 2.9), a part with a suffix comes before the bare part ("7.1.0.rc1" < "7.1.0", npm's
 * "-beta" tags), missing parts are zeros, and build metadata after `+` does not count (semver precedence);
 * anything stranger falls back to comparing text.
 */
function compareLoosely(a: string, b: string): number {
  const x = parts(a.replace(/\+.*$/s, ''))
  const y = parts(b.replace(/\+.*$/s, ''))
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i] ?? MISSING
    const q = y[i] ?? MISSING
    if (p.num !== q.num) return p.num - q.num
    if (p.rest !== q.rest) {
      if (!p.rest) return 1
      if (!q.rest) return -1
      return p.rest.localeCompare(q.rest)
    }
  }

  return 0
}

/**
 * Orders two package versions: negative when `a` is older. Python versions follow PEP 440 (dev < pre <
 * release < post, and a local version such as `2.5.1+cpu` sorts after `2.5.1`, never before); versions of
 * other ecosystems, and Python versions PEP 440 cannot read, use a semver-like numeric ordering.
 */
export function compareVersions(a: string, b: string, ecosystem: Ecosystem = 'python'): number {
  if (ecosystem === 'python' && explain(a) && explain(b)) return comparePep440(a, b)
  return compareLoosely(a, b)
}

/**
 * A Python version's public part and its local label (`2.5.1+cpu` -> 2.5.1, cpu), as PEP 440 reads them;
 * the public part keeps the text as written (not normalized), since it goes back into the user's files.
 */
export function publicVersion(version: string): {public: string; local?: string} {
  const plus = version.indexOf('+')
  if (plus === -1) return {local: undefined, public: version}
  const local = explain(version)?.local ?? version.slice(plus + 1)
  return {local, public: version.slice(0, plus)}
}

/** The version without its local label: `2.5.1+cu121` -> `2.5.1`. */
export function withoutLocal(version: string): string {
  return publicVersion(version).public
}

/** A CPU-only build by its local label, as PyTorch's CPU index names them: `2.5.1+cpu`, `2.1.0+cpu.cxx11.abi`. */
export function isCpuBuild(version: string | undefined): boolean {
  const local = version === undefined ? undefined : publicVersion(version).local
  return local !== undefined && (local === 'cpu' || local.startsWith('cpu.'))
}
