/**
 * What Heroku's classic Python buildpack installs around an app's packages, for predicting a slug before
 * the first push. Every figure has its source; the estimates are labelled as such wherever they are shown.
 */

/** The buildpack's version rules (heroku/heroku-buildpack-python lib/python_version.sh, release v351). */
export const PYTHON_VERSION_RULES = {
  /** used when the app names no version (a new app: its first build; later builds stick to that minor version) */
  defaultVersion: '3.14',
  defaultFullVersion: '3.14.7',
  oldestMinor: 10,
  newestMinor: 14,
  source: 'https://github.com/heroku/heroku-buildpack-python/blob/main/lib/python_version.sh',
} as const

/**
 * The newest patch release of each minor version the buildpack is known to offer: its LATEST_PYTHON_3_X
 * (lib/python_version.sh as last read here, 3.10.17 to 3.13.3), and 3.14 from the default above. A newer patch
 * may exist by now, so a pin past these is a note, not a failure; the build downloads exactly the pinned
 * release and fails when CPython never made it.
 */
export const KNOWN_PATCHES = {
  newest: new Map([['3.10', 17], ['3.11', 12], ['3.12', 10], ['3.13', 3], ['3.14', 7]]) as ReadonlyMap<string, number>,
  source: 'https://github.com/heroku/heroku-buildpack-python/blob/main/lib/python_version.sh (LATEST_PYTHON_3_X)',
} as const

/**
 * No CPython minor version has had this many patch releases (2.7, the longest-lived, ended at 2.7.18; a 3.X
 * gets about 20 in its five years): a pin past it is no release, and the build fails to download it.
 */
export const MAX_PLAUSIBLE_PATCH = 40

/** The stacks' glibc: the newest manylinux tag a wheel may carry and still install. */
export interface Stack {
  name: string
  glibc: [number, number]
  source: string
}

export const STACKS: Stack[] = [
  {glibc: [2, 39], name: 'heroku-24', source: 'https://devcenter.heroku.com/articles/heroku-24-stack (Ubuntu 24.04, glibc 2.39)'},
  {glibc: [2, 35], name: 'heroku-22', source: 'https://devcenter.heroku.com/articles/heroku-22-stack (Ubuntu 22.04, glibc 2.35)'},
]

export const DEFAULT_STACK = 'heroku-24'

/**
 * Compressed share in the slug of an installed wheel, per byte of wheel. pip unpacks the wheel, writes
 * bytecode for every module and the slug compiler gzips the lot with one shared window, so a package
 * costs somewhat more than its wheel: from the measured TensorFlow 2.21 app (cp311, manylinux) in
 * /work/shared/design.md, 45 wheels summing 352 MB cost 370 MB compressed in the slug (tensorflow-cpu
 * 273.8 -> 276.3 MB, numpy 16.9 -> 21.1 MB: mostly-native packages gain little, Python-heavy ones more).
 */
export const INSTALL_FACTOR = {
  factor: 370 / 352,
  source: 'measured on a TensorFlow 2.21 app built by the Heroku Python buildpack: 45 wheels of 352 MB became 370 MB of the compressed slug',
} as const

/**
 * The CPython runtime the buildpack installs in .heroku/python (with pip, and setuptools up to 3.12),
 * compressed as in a slug. Measured on this project's machine (bench/python-runtime.sh): a CPython build of
 * each minor version pruned as the buildpack's builds/build_python_runtime.sh prunes its own (no test
 * modules, no static library, stripped, standard .pyc only, no idle/pydoc/2to3), tarred and gzip -6'd.
 * These are estimates of the real runtime archives, which this machine cannot download.
 */
export interface RuntimeSize {
  minor: string
  /** the CPython version measured */
  measured: string
  unpacked: number
  compressed: number
  source: string
}

const MEASURED = 'bench/python-runtime.sh: a pyenv CPython build pruned like heroku-buildpack-python builds/build_python_runtime.sh, gzip -6 (estimate)'

export const RUNTIME_SIZES: RuntimeSize[] = [
  {compressed: 18_663_963, measured: '3.10.13', minor: '3.10', source: MEASURED, unpacked: 52_515_422},
  {compressed: 22_490_734, measured: '3.11.7', minor: '3.11', source: MEASURED, unpacked: 63_863_787},
  {compressed: 18_846_838, measured: '3.12.1', minor: '3.12', source: MEASURED, unpacked: 55_703_832},
  {compressed: 17_813_547, measured: '3.13.0', minor: '3.13', source: MEASURED, unpacked: 51_407_176},
  // No 3.14 build on this machine: 3.13's figure stands in for it.
  {compressed: 17_813_547, measured: '3.13.0', minor: '3.14', source: `${MEASURED}; 3.13's figure, no 3.14 build was measured`, unpacked: 51_407_176},
]

/** The runtime's size for a minor version ("3.12"); the newest row for one the table does not have. */
export function runtimeSize(minor: string): RuntimeSize {
  return RUNTIME_SIZES.find(r => r.minor === minor) ?? RUNTIME_SIZES.at(-1)!
}
