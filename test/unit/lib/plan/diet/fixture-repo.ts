import type {PlanRepoFile} from '../../../../../src/lib/plan/diet/slugignore-plan.js'

/** A small Flask + ML repo: what a push sends, and the text of its sources. */
export const REPO_TEXTS: Record<string, string> = {
  '.github/workflows/ci.yml': 'on: push\njobs:\n  test:\n    steps:\n      - run: pytest tests/\n',
  Procfile: 'web: gunicorn app:app --preload\nworker: python jobs/worker.py\nrelease: python scripts/migrate.py --seed seeds/initial.csv\n',
  'app.json': '{"name": "demo"}\n',
  'app.py': 'from flask import Flask\nmodel = load_model("models/classifier.h5")\nLOOKUP = pd.read_csv("data/lookup.csv")\n',
  'jobs/worker.py': 'import os\ndef export(name):\n    return open(os.path.join("exports", name))\n',
  'pkg/__init__.py': '',
  'pkg/tests/test_x.py': 'from pkg import thing\n',
  'scripts/migrate.py': 'import sys\n',
  'setup.cfg': '[metadata]\nname = demo\n[tool:pytest]\ntestpaths = tests\n',
  'templates/index.html': '<img src="{{ url_for(\'static\', filename=\'logo.png\') }}">\n',
  'tests/test_app.py': 'import json\nSAMPLE = "datasets/train.csv"\n',
}

const sizes: Record<string, number> = {
  '.vscode/settings.json': 40,
  'analysis.ipynb': 80_000,
  'bin/post_compile': 100,
  'bin/seed.csv': 5000,
  'big.bin': 20e6,
  'data/lookup.csv': 3000,
  'data/raw/big.parquet': 9e6,
  'datasets/test.csv': 2e6,
  'datasets/train.csv': 8e6,
  'docs/design.psd': 30e6,
  'docs/screenshots/home.png': 400_000,
  'exports/2024.csv': 7000,
  'models/classifier.h5': 90e6,
  'notebooks/eda.ipynb': 120_000,
  'notebooks/figures/plot.png': 50_000,
  'package-lock.json': 9000,
  'poetry.lock': 7000,
  'requirements.txt': 200,
  'runtime.txt': 14,
  'seeds/initial.csv': 6000,
  'static/brochure.pdf': 2e6,
  'static/logo.png': 9000,
  'tests/fixtures/sample.csv': 1000,
  'weird name[1].csv': 500,
}

export const REPO_FILES: PlanRepoFile[] = [
  ...Object.entries(REPO_TEXTS).map(([path, text]) => ({path, size: text.length})),
  ...Object.entries(sizes).map(([path, size]) => ({path, size})),
].sort((a, b) => a.path.localeCompare(b.path))

export const BUILD_INPUTS = ['Procfile', 'app.json', 'bin/post_compile', 'bin/seed.csv', 'package-lock.json', 'poetry.lock', 'requirements.txt', 'runtime.txt', 'setup.cfg']
