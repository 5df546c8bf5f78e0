import type {Category, Ecosystem, FileRow, PackageRow, Usage} from '../../analyze/rows.js'
import type {SlugReport} from '../../analyze/report.js'

/**
 * A cell of the treemap. `dir` and `group`/`package` cells can be zoomed into; `small` stands for many
 * files too small to draw one by one (their paths kept in `members` so search still finds them);
 * `rest` is the part of the slug no file list accounts for.
 */
export interface TreeNode extends Usage {
  name: string
  kind: 'dir' | 'file' | 'group' | 'package' | 'rest' | 'small'
  /** the file's category, or the category holding most of a folder's compressed bytes */
  category: Category
  children?: TreeNode[]
  /** for `small` cells and folders too small to open: paths of the files inside, relative to the cell's parent folder */
  members?: string[]
}

export interface ReportTrees {
  folder?: TreeNode
  package: TreeNode
}

export interface TreeOptions {
  /** a cell below this fraction of the slug (compressed and uncompressed) is merged with its small siblings */
  minShare?: number
}

/** 0.05% of the slug: at most ~2,000 cells above it per level, whatever the file count. */
export const DEFAULT_MIN_SHARE = 0.0005

interface Item extends Usage {
  segments: string[]
  category: Category
}

/** What the tree is built from: segments of a path and the kinds of the cells along it. */
interface Trie {
  name: string
  kind: TreeNode['kind']
  usage: Usage
  category: Category
  byCategory?: Map<Category, number>
  children?: Map<string, Trie>
}

function emptyUsage(): Usage {
  return {compressed: 0, files: 0, size: 0}
}

/** Weighs categories by compressed bytes; the tiny uncompressed term breaks ties when nothing compresses (a build log). */
function categoryWeight(u: Usage): number {
  return u.compressed + (u.size * 1e-9)
}

function addUsage(to: Usage, from: Usage): void {
  to.compressed += from.compressed
  to.size += from.size
  to.files += from.files
}

function insert(root: Trie, item: Item, kinds: (index: number, last: boolean) => TreeNode['kind']): void {
  let node = root
  const {segments} = item
  for (let i = 0; i < segments.length; i++) {
    addUsage(node.usage, item)
    node.byCategory ??= new Map()
    node.byCategory.set(item.category, (node.byCategory.get(item.category) ?? 0) + categoryWeight(item))
    node.children ??= new Map()
    const last = i === segments.length - 1
    let child = node.children.get(segments[i])
    if (!child) {
      child = {category: item.category, kind: kinds(i, last), name: segments[i], usage: emptyUsage()}
      node.children.set(segments[i], child)
    }

    node = child
  }

  addUsage(node.usage, item)
}

function dominantCategory(trie: Trie): Category {
  if (!trie.byCategory) return trie.category
  let best: Category = trie.category
  let bestBytes = -1
  for (const [category, bytes] of trie.byCategory) {
    if (bytes > bestBytes) {
      best = category
      bestBytes = bytes
    }
  }

  return best
}

function memberPaths(trie: Trie, prefix: string, out: string[]): void {
  const path = prefix ? `${prefix}/${trie.name}` : trie.name
  if (!trie.children || trie.children.size === 0) {
    out.push(path)
    return
  }

  for (const child of trie.children.values()) memberPaths(child, path, out)
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}

/** A child this big a share of its parent is shown even under the slug-wide threshold, when the parent itself is this big. */
const PARENT_SHARE = 0.01

/** The larger of the compressed and uncompressed shares: a cell must be visible in both area modes. */
function shareOf(part: Usage, whole: Usage): number {
  return Math.max(whole.compressed > 0 ? part.compressed / whole.compressed : 0, whole.size > 0 ? part.size / whole.size : 0)
}

function closedCell(node: TreeNode, trie: Trie): TreeNode {
  const members: string[] = []
  memberPaths(trie, '', members)
  return {...node, members}
}

function smallCell(small: Trie[]): TreeNode {
  const usage = emptyUsage()
  const members: string[] = []
  const byCategory = new Map<Category, number>()
  for (const s of small) {
    addUsage(usage, s.usage)
    memberPaths(s, '', members)
    const c = dominantCategory(s)
    byCategory.set(c, (byCategory.get(c) ?? 0) + categoryWeight(s.usage))
  }

  const category = dominantCategory({byCategory, category: small[0].category, kind: 'small', name: '', usage})
  return {...usage, category, kind: 'small', members, name: plural(usage.files, 'small file', 'small files')}
}

/**
 * Turns the trie into cells. A child is shown when it is at least `minShare` of the slug, or 1% of a
 * parent that is itself 1% of the slug (so a big folder of many equal files still shows them); the rest
 * of a parent's children become one "N small files" cell. That bounds the cells whatever the file count.
 * A folder whose children would all be merged is shown closed, and chains of single folders are joined
 * ("lib/python3.12/site-packages") so zooming never lands on a folder with one child.
 */
function prune(trie: Trie, total: Usage, minShare: number, open = true): TreeNode {
  const node: TreeNode = {...trie.usage, category: dominantCategory(trie), kind: trie.kind, name: trie.name}
  if (!trie.children || trie.children.size === 0) return node
  const closable = trie.kind === 'dir' || trie.kind === 'package'
  if (!open && closable) return closedCell(node, trie)

  let current = trie
  while (current.kind === 'dir' && current.children?.size === 1) {
    const only = [...current.children.values()][0]
    if (only.kind !== 'dir' || !only.children || only.children.size === 0) break
    node.name = `${node.name}/${only.name}`
    current = only
  }

  const parentCounts = shareOf(current.usage, total) >= PARENT_SHARE
  const shown = (u: Usage) => shareOf(u, total) >= minShare || (parentCounts && shareOf(u, current.usage) >= PARENT_SHARE)
  const children: TreeNode[] = []
  const small: Trie[] = []
  for (const child of current.children!.values()) {
    if (shown(child.usage)) children.push(prune(child, total, minShare))
    else small.push(child)
  }

  if (small.length === 1) {
    children.push(prune(small[0], total, minShare, false))
  } else if (small.length > 1) {
    if (children.length === 0 && closable) return closedCell(node, trie)
    children.push(smallCell(small))
  }

  children.sort((a, b) => b.compressed - a.compressed || b.size - a.size)
  node.children = children
  return node
}

/** The part of the slug the listed files do not account for (a report without the full file list). */
function addRest(root: TreeNode, totals: {compressed: number; size: number; files: number}, what: string): void {
  const rest: Usage = {
    compressed: Math.max(0, totals.compressed - root.compressed),
    files: Math.max(0, totals.files - root.files),
    size: Math.max(0, totals.size - root.size),
  }
  if (rest.compressed <= 0 && rest.size <= 0) return
  root.children ??= []
  root.children.push({...rest, category: 'other', kind: 'rest', name: what})
  root.children.sort((a, b) => b.compressed - a.compressed || b.size - a.size)
  addUsage(root, rest)
}

const ECOSYSTEM_GROUP: Record<Ecosystem, string> = {
  node: 'Node packages',
  python: 'Python packages',
  ruby: 'Ruby gems',
  runtime: 'Language runtime',
}

const ECOSYSTEM_CATEGORY: Record<Ecosystem, Category> = {
  node: 'node-package',
  python: 'python-package',
  ruby: 'ruby-gem',
  runtime: 'runtime',
}

const NOT_IN_A_PACKAGE = 'Not in a package'

function packageLabel(pkg: PackageRow | undefined, name: string): string {
  return pkg?.version ? `${name} ${pkg.version}` : name
}

function relativeTo(path: string, location: string | undefined): string {
  return location && path.startsWith(`${location}/`) ? path.slice(location.length + 1) : path
}

function folderKinds(_index: number, last: boolean): TreeNode['kind'] {
  return last ? 'file' : 'dir'
}

function packageKinds(index: number, last: boolean): TreeNode['kind'] {
  if (last) return 'file'
  if (index === 0) return 'group'
  return index === 1 ? 'package' : 'dir'
}

function rootTrie(name: string): Trie {
  // a group, not a dir: the root keeps its own name and is never joined with a single child
  return {category: 'other', kind: 'group', name, usage: emptyUsage()}
}

function fileItem(file: FileRow, segments: string[]): Item {
  return {category: file.category, compressed: file.compressed, files: 1, segments, size: file.size}
}

/** The slug as folders: /app at the root. */
export function folderTree(files: FileRow[], options: TreeOptions = {}): TreeNode {
  const root = rootTrie('/app')
  for (const file of files) insert(root, fileItem(file, file.path.split('/').filter(Boolean)), folderKinds)
  return prune(root, root.usage, options.minShare ?? DEFAULT_MIN_SHARE)
}

/** The slug as packages: ecosystem groups, then packages, then their files; the rest under "Not in a package". */
export function packageTree(files: FileRow[], packages: PackageRow[], options: TreeOptions = {}): TreeNode {
  const byId = new Map(packages.map(p => [`${p.ecosystem}:${p.name}`, p]))
  const root = rootTrie('All packages')
  for (const file of files) {
    const parts = file.path.split('/').filter(Boolean)
    if (file.package) {
      const colon = file.package.indexOf(':')
      const ecosystem = file.package.slice(0, colon) as Ecosystem
      const name = file.package.slice(colon + 1)
      const pkg = byId.get(file.package)
      const group = ECOSYSTEM_GROUP[ecosystem] ?? ecosystem
      insert(root, fileItem(file, [group, packageLabel(pkg, name), ...relativeTo(file.path, pkg?.location).split('/').filter(Boolean)]), packageKinds)
    } else {
      insert(root, fileItem(file, [NOT_IN_A_PACKAGE, ...parts]), (i, last) => (last ? 'file' : (i === 0 ? 'group' : 'dir')))
    }
  }

  return prune(root, root.usage, options.minShare ?? DEFAULT_MIN_SHARE)
}

/** Packages without their files (a build log): each package is one cell. */
export function packageOnlyTree(packages: PackageRow[], options: TreeOptions = {}): TreeNode {
  const root = rootTrie('All packages')
  for (const p of packages) {
    const segments = [ECOSYSTEM_GROUP[p.ecosystem], packageLabel(p, p.name)]
    insert(root, {category: ECOSYSTEM_CATEGORY[p.ecosystem], compressed: p.compressed, files: p.files, segments, size: p.size}, i =>
      i === 0 ? 'group' : 'package')
  }

  return prune(root, root.usage, options.minShare ?? DEFAULT_MIN_SHARE)
}

/**
 * Both views of a report. With the full file list every file has a place; without it (a report made
 * elsewhere) the listed top files are drawn and the remainder is one "rest" cell, so areas still add
 * up to the slug. A build log has packages but no files: only the package view.
 */
export function reportTrees(report: SlugReport, files?: FileRow[], options: TreeOptions = {}): ReportTrees {
  const totals = {compressed: report.totals.compressed, files: report.totals.files, size: report.totals.uncompressed}
  const list = files ?? report.files
  if (report.kind === 'build-log' && list.length === 0) {
    const pkg = packageOnlyTree(report.packages, options)
    addRest(pkg, totals, 'Rest of the slug (not in the log)')
    return {package: pkg}
  }

  const folder = folderTree(list, options)
  const pkg = packageTree(list, report.packages, options)
  if (!files) {
    addRest(folder, totals, 'Files not listed in the report')
    addRest(pkg, totals, 'Files not listed in the report')
  }

  return {folder, package: pkg}
}
