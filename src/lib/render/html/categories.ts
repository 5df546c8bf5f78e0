import type {Category} from '../../analyze/rows.js'

export interface CategoryStyle {
  label: string
  color: string
}

/**
 * How each category looks in the HTML report. Models and data are warm colours because they are what
 * a user can usually move out of the slug; what the buildpack installs is in blues and greys.
 */
export const CATEGORY_STYLES: Record<Category, CategoryStyle> = {
  model: {color: '#d9534f', label: 'Models'},
  data: {color: '#f0a04b', label: 'Data'},
  notebook: {color: '#e377c2', label: 'Notebooks'},
  'docs-media': {color: '#c5b83c', label: 'Docs and media'},
  tests: {color: '#9c6b4e', label: 'Tests'},
  cache: {color: '#b8b8b8', label: 'Caches'},
  'app-code': {color: '#4caf50', label: 'App code'},
  'python-package': {color: '#4a7fc1', label: 'Python packages'},
  'node-package': {color: '#2bb3c0', label: 'Node packages'},
  'ruby-gem': {color: '#9467bd', label: 'Ruby gems'},
  runtime: {color: '#7d8a99', label: 'Language runtime'},
  other: {color: '#a9c4de', label: 'Other'},
}
