/** A wheel the build would install. */
export interface ResolvedWheel {
  /** normalized (PEP 503) */
  name: string
  version: string
  url?: string
  filename?: string
  /** bytes of the wheel; undefined when neither the lock file nor the index says */
  size?: number
  /** named by the app (not only pulled in by another package) */
  requested: boolean
}

/** A package the build needs that has no wheel for the stack and the Python version. */
export interface Unresolvable {
  name: string
  version?: string
  /** a source archive exists: pip would try to compile it during the build */
  sdist?: boolean
  /** what pip printed: the requirement and who asked for it */
  requirement?: string
  requiredBy?: string
}

/** What a resolver or a lock file says the build installs. */
export interface Resolution {
  wheels: ResolvedWheel[]
  unresolvable: Unresolvable[]
  /** Python dependencies by package (normalized names), for the dev-only findings */
  requires: Map<string, string[]>
}
