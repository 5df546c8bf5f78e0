/* eslint-disable no-template-curly-in-string -- the strings below are bash, whose ${...} is not a JS template */
import {POST_COMPILE_RULES, type PostCompileRule} from '../../knowledge/post-compile-rules.js'

export const HOOK_BEGIN = '# >>> heroku-slug-diet: managed block, rewritten by `heroku slug:diet --post-compile`'
export const HOOK_END = '# <<< heroku-slug-diet'
/** Lets a test (or a user) point the script at one site-packages folder instead of the build's. */
export const SITE_PACKAGES_ENV = 'SLUG_DIET_SITE_PACKAGES'

const q = (s: string) => `'${s.replaceAll('\'', String.raw`'\''`)}'`

/** Ends the here-document that feeds the block to bash. */
const HEREDOC = 'HEROKU_SLUG_DIET'

/** The block's bash functions: what a rule may delete (its guard), and the pruning itself. */
const BASH_FUNCTIONS = [
  'slug_diet_has_code() {',
  String.raw`  [[ -n "$(find "$1" \( -name '*.py' -o -name '*.pyd' -o -name '*.so' -o -name '*.so.*' \) -print -quit)" ]]`,
  '}',
  'slug_diet_package_imports_tests() {',
  '  # Conservative: any import line of the package (outside its test folders) naming a module test/tests.',
  '  grep -rqsE --include=\'*.py\' --exclude-dir=tests --exclude-dir=test \\',
  String.raw`    '^[[:space:]]*(from|import)[[:space:]][^#]*\btests?\b' "$1"`,
  '}',
  'slug_diet_allowed() {',
  '  local site=$1 dir=$2 guard=$3 rel top',
  '  case "$guard" in',
  '    none) return 0 ;;',
  '    no-code) ! slug_diet_has_code "$dir" ;;',
  '    not-imported)',
  '      rel=${dir#"$site"/}',
  '      top=${rel%%/*}',
  '      # one search per package, however many test folders it has',
  '      if [[ -z "${slug_diet_imports[$top]:-}" ]]; then',
  '        slug_diet_imports[$top]=no',
  '        if slug_diet_package_imports_tests "$site/$top"; then slug_diet_imports[$top]=yes; fi',
  '      fi',
  '      [[ "${slug_diet_imports[$top]}" == no ]] ;;',
  '    *) return 1 ;;',
  '  esac',
  '}',
  'slug_diet_prune_dirs() {',
  '  # site, guard, mindepth, top-level packages to leave alone (space-separated), then the folder names',
  '  local site=$1 guard=$2 depth=$3 keep=" $4 " dir name rel',
  '  shift 4',
  '  local match=()',
  '  for name in "$@"; do match+=(-o -name "$name"); done',
  '  while IFS= read -r -d \'\' dir; do',
  '    rel=${dir#"$site"/}',
  '    [[ "$keep" == *" ${rel%%/*} "* ]] && continue',
  '    if [[ -d "$dir" ]] && slug_diet_allowed "$site" "$dir" "$guard"; then rm -rf -- "$dir"; fi',
  '  done < <(find "$site" -mindepth "$depth" -type d \\( "${match[@]:1}" \\) -prune -print0)',
  '}',
  'slug_diet_prune_files() {',
  '  local site=$1 depth=$2 name',
  '  shift 2',
  '  local match=()',
  '  for name in "$@"; do match+=(-o -name "$name"); done',
  '  find "$site" -mindepth "$depth" -type f \\( "${match[@]:1}" \\) -delete',
  '}',
]

/**
 * The managed block: bash code fed to its own `bash` process by a here-document, so it runs the same in
 * a bash or a POSIX sh hook (dash is /bin/sh on Heroku's stacks) and its shell options never leak into
 * the user's lines.
 */
export function renderPostCompileBlock(rules: PostCompileRule[] = POST_COMPILE_RULES): string[] {
  const calls = rules.flatMap(r => [
    `    # ${r.id} (${r.title}): ${r.why}. Source: ${r.source}`,
    r.type === 'd'
      ? `    slug_diet_prune_dirs "$site" ${r.guard} ${r.minDepth} ${q((r.keepPackages ?? []).join(' '))} ${r.names.map(n => q(n)).join(' ')}`
      : `    slug_diet_prune_files "$site" ${r.minDepth} ${r.names.map(n => q(n)).join(' ')}`,
  ])
  return [
    HOOK_BEGIN,
    '# Removes files pip installed that the app cannot import. Each rule below says why it is safe.',
    `# ${SITE_PACKAGES_ENV}=DIR prunes DIR instead of the build's site-packages.`,
    `bash <<'${HEREDOC}'`,
    'set -euo pipefail',
    ...BASH_FUNCTIONS,
    'slug_diet_prune() {',
    '  local sites=() site before after',
    '  local -A slug_diet_imports=()',
    `  if [[ -n "\${${SITE_PACKAGES_ENV}:-}" ]]; then`,
    `    sites=("$${SITE_PACKAGES_ENV}")`,
    '  else',
    '    shopt -s nullglob',
    '    sites=("${BUILD_DIR:-$PWD}"/.heroku/python/lib/python*/site-packages)',
    '    shopt -u nullglob',
    '  fi',
    '  for site in "${sites[@]}"; do',
    '    [[ -d "$site" ]] || continue',
    '    before=$(du -sk "$site" | cut -f1)',
    ...calls,
    '    after=$(du -sk "$site" | cut -f1)',
    '    echo "-----> heroku-slug-diet: pruned $(((before - after) / 1024)) MiB from $site"',
    '  done',
    '}',
    '# bash reads this script from stdin: the commands get /dev/null instead',
    'slug_diet_prune </dev/null',
    HEREDOC,
    HOOK_END,
  ]
}

