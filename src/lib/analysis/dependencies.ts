import {normalizePythonName, PROJECT_NAME} from './dist-info.js'

/** Project names a requirements.txt asks for (options, URLs and `-r` includes left out). */
export function requirementNames(text: string | undefined): string[] {
  if (!text) return []
  const names: string[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim()
    if (line === '' || line.startsWith('-') || line.includes('://')) continue
    const name = PROJECT_NAME.exec(line)?.[1]
    if (name) names.push(normalizePythonName(name))
  }

  return names
}

/**
 * For each dev package, the installed packages that only it needs: reachable from it, not reachable from
 * any production package. Production roots are installed packages nothing depends on, plus what
 * requirements.txt names; walks never pass through dev packages (each has its own finding). A package
 * needed by two dev packages goes to the first in `dev` order. Unknown dependencies (no METADATA) make
 * a package a root, so the guess errs toward keeping packages.
 */
export function exclusiveDependencies(
  dev: string[],
  installed: ReadonlySet<string>,
  requires: ReadonlyMap<string, readonly string[]>,
  requested: string[],
): Map<string, string[]> {
  const devSet = new Set(dev)
  const needed = new Set<string>()
  for (const deps of requires.values()) for (const d of deps) needed.add(d)
  const roots = [...installed].filter(n => !devSet.has(n) && !needed.has(n))
  for (const name of requested) if (!devSet.has(name) && installed.has(name)) roots.push(name)

  const walk = (start: string[], seen: Set<string>) => {
    const stack = [...start]
    while (stack.length > 0) {
      const name = stack.pop()!
      if (seen.has(name) || !installed.has(name)) continue
      seen.add(name)
      for (const d of requires.get(name) ?? []) if (!devSet.has(d) && !seen.has(d)) stack.push(d)
    }
  }

  const production = new Set<string>()
  walk(roots, production)
  const taken = new Set<string>(production)
  const result = new Map<string, string[]>()
  for (const name of dev) {
    const reach = new Set<string>()
    walk((requires.get(name) ?? []).filter(d => !devSet.has(d) && !taken.has(d)), reach)
    const only = [...reach].filter(d => !taken.has(d))
    for (const d of only) taken.add(d)
    if (only.length > 0) result.set(name, only.sort())
  }

  return result
}
