/**
 * What `bin/post_compile` may remove from site-packages after pip has installed the app's dependencies.
 * Every rule only reaches inside a package (depth >= 2 below site-packages), never a top-level module,
 * and each carries the guard the generated script applies at build time before it deletes anything.
 */
/**
 * `no-code`: the folder holds no Python module or extension (.py, .so, .pyd), so nothing in it can be imported.
 * `none`: the files are never loaded by Python at run time.
 * `not-imported`: kept whenever a module of the same package, outside its test folders, imports a module named test/tests.
 */
export type PruneGuard = 'no-code' | 'none' | 'not-imported'

export interface PostCompileRule {
  id: string
  title: string
  /** `d` removes whole folders, `f` single files (find -type) */
  type: 'd' | 'f'
  /** find -name globs */
  names: string[]
  /** find -mindepth below site-packages; 2 = inside a package */
  minDepth: number
  guard: PruneGuard
  /** top-level packages the rule never touches (they read these files at run time) */
  keepPackages?: string[]
  /** why removing these cannot break the app */
  why: string
  source: string
}

export const POST_COMPILE_RULES: PostCompileRule[] = [
  {
    guard: 'not-imported',
    id: 'package-tests',
    minDepth: 2,
    names: ['tests', 'test'],
    source: 'https://docs.pytest.org/en/stable/explanation/goodpractices.html#tests-as-part-of-application-code',
    title: 'test suites shipped inside installed packages',
    type: 'd',
    why: 'a package\'s own test suite is only run by its developers (pytest); the package does not import it',
  },
  {
    guard: 'no-code',
    id: 'c-headers',
    // These compile code while the app runs (torch.utils.cpp_extension and torch.compile, Triton and CuPy
    // kernels, Numba, Pythran) and need their headers then.
    keepPackages: ['cupy', 'cupy_backends', 'numba', 'pythran', 'torch', 'triton'],
    minDepth: 2,
    names: ['include'],
    source: 'https://www.tensorflow.org/guide/create_op#compile_the_op_using_your_system_compiler_tensorflow_binary_installation',
    title: 'C/C++ headers (e.g. tensorflow/include, numpy/_core/include)',
    type: 'd',
    why: 'headers are read by a compiler building extensions against the package, never at run time',
  },
  {
    guard: 'none',
    id: 'static-libs',
    minDepth: 2,
    names: ['*.a'],
    source: 'https://gcc.gnu.org/onlinedocs/gcc/Link-Options.html',
    title: 'static libraries (*.a)',
    type: 'f',
    why: 'static archives are only used when linking a new binary; Python loads shared objects (.so)',
  },
  {
    guard: 'no-code',
    id: 'package-docs',
    minDepth: 2,
    names: ['docs', 'doc', 'examples'],
    source: 'https://setuptools.pypa.io/en/latest/userguide/datafiles.html',
    title: 'documentation and examples shipped inside packages',
    type: 'd',
    why: 'package data for readers; a folder without any .py/.so file holds nothing Python can import',
  },
]
