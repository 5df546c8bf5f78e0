import {DEFAULT_STACK, type Stack, STACKS} from '../../knowledge/python-stack.js'

/** The oldest manylinux glibc minor pip still meets on PyPI (manylinux2014 = manylinux_2_17). */
const OLDEST_GLIBC_MINOR = 5
const LEGACY_ALIASES: Record<number, string> = {5: 'manylinux1', 12: 'manylinux2010', 17: 'manylinux2014'}

export function stackNamed(name?: string): Stack {
  return STACKS.find(s => s.name === name) ?? STACKS.find(s => s.name === DEFAULT_STACK)!
}

/**
 * Every platform tag a wheel may carry and still install on the stack, newest first: pip takes
 * `--platform` literally (it does not widen manylinux_2_39 to older glibc versions), so all are listed.
 */
export function platformTags(stack: Stack): string[] {
  const [major, newest] = stack.glibc
  const tags: string[] = []
  for (let minor = newest; minor >= OLDEST_GLIBC_MINOR; minor--) {
    tags.push(`manylinux_${major}_${minor}_x86_64`)
    if (LEGACY_ALIASES[minor]) tags.push(`${LEGACY_ALIASES[minor]}_x86_64`)
  }

  tags.push('linux_x86_64')
  return tags
}

/** The parts of a wheel file name (PEP 427): name-version(-build)?-python-abi-platform.whl */
export interface WheelName {
  name: string
  version: string
  pythons: string[]
  abis: string[]
  platforms: string[]
}

export function parseWheelName(filename: string): WheelName | undefined {
  if (!filename.endsWith('.whl')) return undefined
  const parts = filename.slice(0, -4).split('-')
  if (parts.length !== 5 && parts.length !== 6) return undefined
  const [name, version] = parts
  const [python, abi, platform] = parts.slice(-3)
  return {abis: abi.split('.'), name, platforms: platform.split('.'), pythons: python.split('.'), version}
}

/**
 * How well a wheel fits CPython `minor` ("3.12") on the stack: a rank (lower is better, as pip prefers
 * a version-specific build over abi3 over pure Python), or undefined when it does not install there.
 */
export function wheelRank(wheel: WheelName, minor: string, stack: Stack): number | undefined {
  const [major, min] = minor.split('.').map(Number)
  const cp = `cp${major}${min}`
  const platforms = platformTags(stack)
  const platformRank = Math.min(...wheel.platforms.map(p => (p === 'any' ? platforms.length : platforms.indexOf(p))).map(r => (r < 0 ? Infinity : r)))
  if (platformRank === Infinity) return undefined
  const abi3Python = wheel.pythons.some(p => {
    const m = /^cp(\d)(\d+)$/.exec(p)
    return m !== null && Number(m[1]) === major && Number(m[2]) <= min
  })
  let abiRank: number | undefined
  if (wheel.abis.includes(cp) && wheel.pythons.includes(cp)) abiRank = 0
  else if (wheel.abis.includes('abi3') && abi3Python) abiRank = 1
  else if (wheel.abis.includes('none') && wheel.pythons.some(p => p === cp || p === `py${major}` || p === `py${major}${min}`)) abiRank = 2
  if (abiRank === undefined) return undefined
  return (abiRank * 1000) + platformRank
}
