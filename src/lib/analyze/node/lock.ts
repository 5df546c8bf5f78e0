import * as v from 'valibot'

import {UserError} from '../../shared/errors.js'

/** `os`, `cpu` and `libc` restrictions: npm accepts one string or a list (`!darwin` excludes). */
export const Platforms = v.union([v.string(), v.array(v.string())])

/** One package a lock file pins, where the package manager puts it. */
export interface LockNode {
  /** the key the graph's edges use (a location, a descriptor, a pnpm snapshot) */
  key: string
  /** the name it is published under in the registry */
  name: string
  version: string
  /** where it is installed, relative to the app, when the lock says so (npm) */
  location?: string
  /** the lock's platform restrictions; undefined when the lock does not record them (yarn classic) */
  os?: string[]
  cpu?: string[]
  libc?: string[]
  /** the tarball URL the lock recorded */
  resolved?: string
  /** part of the repo (a workspace, a linked folder): its files are counted as repo files, not as a package */
  local?: boolean
  dependencies: string[]
  optionalDependencies: string[]
}

export type NodeManager = 'npm' | 'pnpm' | 'yarn'

/** A lock file read as a graph: every package it pins, the app's direct dependencies by kind, and the edges. */
export interface LockGraph {
  file: string
  manager: NodeManager
  nodes: Map<string, LockNode>
  roots: {dependencies: string[]; optionalDependencies: string[]; devDependencies: string[]}
  /** which writer's format: yarn classic records no os/cpu/libc (the registry's manifests do), berry may install Plug'n'Play */
  format: 'npm' | 'pnpm' | 'yarn-berry' | 'yarn-classic'
  notes: string[]
}

/** Lists as npm writes them (`"linux"` or `["linux"]`). */
export function platformList(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined
  return Array.isArray(value) ? value : [value]
}

/**
 * `value` checked against `schema`; a field of the wrong type is one line naming the file and the field's
 * path, as package.json's reader says it.
 */
export function validated<S extends v.GenericSchema>(schema: S, value: unknown, file: string): v.InferOutput<S> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(`${file} is not a lock file (its top level is not an object).`)
  const result = v.safeParse(schema, value)
  if (result.success) return result.output
  const issue = result.issues[0]
  const field = v.getDotPath(issue)
  throw new UserError(`${file}: "${field ?? '(root)'}" ${issue.message.replace(/^Invalid \w+: /, '')}.`)
}

/** Whether a package restricted to `allowed` installs on `actual` (npm's rule: a `!x` entry excludes x). */
function allows(allowed: string[] | undefined, actual: string): boolean {
  if (allowed === undefined || allowed.length === 0) return true
  if (allowed.includes(`!${actual}`)) return false
  const positive = allowed.filter(a => !a.startsWith('!'))
  return positive.length === 0 || positive.includes(actual) || positive.includes('any')
}

/** A dyno: Linux, x86-64, glibc (the Heroku stacks are Ubuntu). */
export const DYNO_PLATFORM = {cpu: 'x64', libc: 'glibc', os: 'linux'} as const

export function installsOnDyno(p: Pick<LockNode, 'cpu' | 'libc' | 'os'>): boolean {
  return allows(p.os, DYNO_PLATFORM.os) && allows(p.cpu, DYNO_PLATFORM.cpu) && allows(p.libc, DYNO_PLATFORM.libc)
}

export interface InstallChoice {
  /** devDependencies kept (NPM_CONFIG_PRODUCTION=false / YARN_PRODUCTION=false) */
  dev: boolean
  /** whether a package installs: on a dyno, by its platform fields */
  fits: (node: LockNode) => boolean
}

/** What the walk found: the installed packages, and the optional ones left out for their platform. */
export interface Installed {
  nodes: LockNode[]
  skipped: LockNode[]
}

/**
 * The packages a build leaves in node_modules: everything reachable from the app's dependencies (and its
 * devDependencies when they are kept), except a package whose platform is not the dyno's, and what is reachable
 * only through one (npm drops an optional package's whole subtree when it cannot install it).
 */
export function installedPackages(graph: LockGraph, choice: InstallChoice): Installed {
  const seen = new Set<string>()
  const skipped = new Map<string, LockNode>()
  const queue = [...graph.roots.dependencies, ...graph.roots.optionalDependencies, ...(choice.dev ? graph.roots.devDependencies : [])]
  const nodes: LockNode[] = []
  while (queue.length > 0) {
    const key = queue.pop()!
    if (seen.has(key)) continue
    const node = graph.nodes.get(key)
    if (!node) continue
    seen.add(key)
    if (!node.local && !choice.fits(node)) {
      skipped.set(key, node)
      continue
    }

    nodes.push(node)
    queue.push(...node.dependencies, ...node.optionalDependencies)
  }

  return {nodes, skipped: [...skipped.values()]}
}
