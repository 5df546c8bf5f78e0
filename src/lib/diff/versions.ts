/** A version's dot-separated parts: the leading number, and what follows it ("0rc1" -> 0, "rc1"). */
function parts(version: string): Array<{num: number; rest: string}> {
  return version.split(/[.+-]/).map(p => {
    const m = /^(\d*)(.*)$/.exec(p)!
    return {num: m[1] === '' ? -1 : Number(m[1]), rest: m[2]}
  })
}

/** A part one version lacks: "2.16" is "2.16.0". */
const MISSING = {num: 0, rest: ''}

/**
 * Orders two package versions: negative when `a` is older. Numbers compare as numbers (2.10 > 2.9) and
 * a part with a suffix comes before the bare part ("2.16.0rc1" < "2.16.0"), which is right for Python
 * pre-releases and npm's "-beta" tags; missing parts are zeros; anything stranger falls back to comparing text.
 */
export function compareVersions(a: string, b: string): number {
  const x = parts(a)
  const y = parts(b)
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
