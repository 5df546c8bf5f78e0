import type {Finding} from './rows.js'

/*
 * No byte is counted by two findings. Package findings claim whole packages, in order: a heavy package
 * replaced by a lighter one (with the CUDA wheels it pulls), other CUDA wheels, then dev-only packages;
 * a package is claimed once. Test folders inside packages are counted only for unclaimed packages
 * (a package that goes away takes its tests with it). Repo findings cover repo-origin files only, which
 * no package owns, and each file has one category, so models, data, notebooks, docs/media and caches
 * never overlap. Entries outside ./app are not files of the slug at all.
 */

export const COMMANDS = {
  convertModels: 'heroku slug:convert-models',
  diet: 'heroku slug:diet',
  fixPackageJson: 'heroku slug:diet --fix-package-json',
  fixRequirements: 'heroku slug:diet --fix-requirements',
  offloadModels: 'heroku slug:offload-models',
  postCompile: 'heroku slug:diet --post-compile',
} as const

export function severityOf(savings: number): Finding['severity'] {
  if (savings >= 100e6) return 'high'
  if (savings >= 10e6) return 'medium'
  return 'low'
}

/** Whole bytes (shares are fractional), largest savings first. */
export function finalizeFindings(findings: Finding[]): Finding[] {
  for (const f of findings) f.savings = Math.round(f.savings)
  return findings.sort((a, b) => b.savings - a.savings || a.id.localeCompare(b.id))
}
