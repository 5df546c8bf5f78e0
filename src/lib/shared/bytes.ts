/** The one byte formatter: decimal units, as Heroku states its limits ("500M" means 500 MB). */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes)
  const sign = bytes < 0 ? '-' : ''
  if (abs < 1000) return `${sign}${Math.round(abs)} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = abs
  let unit = 'B'
  for (const u of units) {
    if (value < 1000) break
    value /= 1000
    unit = u
  }

  return `${sign}${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}`
}

/** A change in bytes: "+84.0 MB", "-2.1 MB", "0 B". */
export function formatSignedBytes(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes)
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
}

/** Parses "400MB", "400M", "1.5 GB", "512MiB", "1000" into bytes; undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  if (!m) return undefined
  const factor = SIZE_UNITS[m[2].toLowerCase()]
  if (factor === undefined) return undefined
  return Math.round(Number(m[1]) * factor)
}

/** Share of a whole, as "12.3%". */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '0.0%'
  return `${((part / whole) * 100).toFixed(1)}%`
}
