/**
 * Python packages for development, testing or notebooks: a web or worker dyno never needs them.
 *
 * `typicalBytes` is roughly the manylinux x86_64 wheel on PyPI (what pip downloads, about what the files
 * cost in a gzip slug): used only when a package is named without a size (a requirement in a repo).
 * `requiredBy` lists production packages that depend on it: removing it from requirements.txt does not
 * help then, it has to be uninstalled after the build (bin/post_compile).
 */
export interface DevPackage {
  /** PyPI project name, normalized (PEP 503) */
  name: string
  purpose: string
  typicalBytes: number
  requiredBy?: string[]
  source: string
}

export const DEV_PACKAGES: DevPackage[] = [
  {name: 'pytest', purpose: 'test runner', typicalBytes: 0.35e6, source: 'https://pypi.org/project/pytest/'},
  {name: 'pytest-cov', purpose: 'test coverage', typicalBytes: 0.03e6, source: 'https://pypi.org/project/pytest-cov/'},
  {name: 'coverage', purpose: 'test coverage', typicalBytes: 0.25e6, source: 'https://pypi.org/project/coverage/'},
  {name: 'hypothesis', purpose: 'property-based testing', typicalBytes: 0.5e6, source: 'https://pypi.org/project/hypothesis/'},
  {name: 'tox', purpose: 'test automation', typicalBytes: 0.17e6, source: 'https://pypi.org/project/tox/'},
  {name: 'nox', purpose: 'test automation', typicalBytes: 0.07e6, source: 'https://pypi.org/project/nox/'},
  {name: 'jupyter', purpose: 'notebook meta-package', typicalBytes: 0.01e6, source: 'https://pypi.org/project/jupyter/'},
  {name: 'notebook', purpose: 'Jupyter Notebook server', typicalBytes: 13e6, source: 'https://pypi.org/project/notebook/'},
  {name: 'jupyterlab', purpose: 'JupyterLab IDE', typicalBytes: 11.7e6, source: 'https://pypi.org/project/jupyterlab/'},
  {name: 'jupyter-server', purpose: 'Jupyter server', typicalBytes: 0.4e6, source: 'https://pypi.org/project/jupyter-server/'},
  {name: 'jupyterlab-server', purpose: 'JupyterLab server', typicalBytes: 0.06e6, source: 'https://pypi.org/project/jupyterlab-server/'},
  {name: 'nbconvert', purpose: 'notebook conversion', typicalBytes: 0.26e6, source: 'https://pypi.org/project/nbconvert/'},
  {name: 'ipykernel', purpose: 'Jupyter kernel', typicalBytes: 0.12e6, source: 'https://pypi.org/project/ipykernel/'},
  {name: 'ipython', purpose: 'interactive shell', typicalBytes: 0.8e6, source: 'https://pypi.org/project/ipython/'},
  {name: 'ipywidgets', purpose: 'notebook widgets', typicalBytes: 0.14e6, source: 'https://pypi.org/project/ipywidgets/'},
  {name: 'widgetsnbextension', purpose: 'notebook widgets', typicalBytes: 2.3e6, source: 'https://pypi.org/project/widgetsnbextension/'},
  {name: 'debugpy', purpose: 'debugger (pulled by ipykernel)', typicalBytes: 4.2e6, source: 'https://pypi.org/project/debugpy/'},
  {name: 'black', purpose: 'code formatter', typicalBytes: 1.8e6, source: 'https://pypi.org/project/black/'},
  {name: 'isort', purpose: 'import sorter', typicalBytes: 0.1e6, source: 'https://pypi.org/project/isort/'},
  {name: 'flake8', purpose: 'linter', typicalBytes: 0.06e6, source: 'https://pypi.org/project/flake8/'},
  {name: 'pylint', purpose: 'linter', typicalBytes: 0.5e6, source: 'https://pypi.org/project/pylint/'},
  {name: 'ruff', purpose: 'linter', typicalBytes: 11e6, source: 'https://pypi.org/project/ruff/'},
  {name: 'mypy', purpose: 'type checker', typicalBytes: 12.5e6, source: 'https://pypi.org/project/mypy/'},
  {name: 'pre-commit', purpose: 'git hook manager', typicalBytes: 0.2e6, source: 'https://pypi.org/project/pre-commit/'},
  {name: 'sphinx', purpose: 'documentation builder', typicalBytes: 3.5e6, source: 'https://pypi.org/project/Sphinx/'},
  {
    name: 'tensorboard',
    purpose: 'training dashboard',
    typicalBytes: 5.5e6,
    requiredBy: ['tensorflow', 'tensorflow-cpu'],
    source: 'https://pypi.org/project/tensorboard/',
  },
  {
    name: 'tensorboard-data-server',
    purpose: 'training dashboard backend',
    typicalBytes: 6.6e6,
    requiredBy: ['tensorboard', 'tensorflow', 'tensorflow-cpu'],
    source: 'https://pypi.org/project/tensorboard-data-server/',
  },
]
