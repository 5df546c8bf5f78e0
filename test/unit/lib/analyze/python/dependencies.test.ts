import {expect} from 'chai'

import {analyzeScan} from '../../../../../src/lib/analyze/analyze.js'
import {exclusiveDependencies, requirementNames} from '../../../../../src/lib/analyze/python/dependencies.js'
import {parseMetadata} from '../../../../../src/lib/analyze/python/dist-info.js'
import {ScanBuilder} from '../../../../helpers/scan-fixtures.js'

describe('dependencies of dev packages', () => {
  it('reads Requires-Dist without extras, and requirement names without options or URLs', () => {
    const header = 'Name: x\nRequires-Dist: Jinja2>=3.0\nRequires-Dist: babel (>=2.10)\nRequires-Dist: pytest; extra == "test"\nRequires-Dist: tomli; python_version < "3.11"\n'
    expect(parseMetadata(header).requires).to.deep.equal(['jinja2', 'babel', 'tomli'])
    expect(requirementNames('# app\nFlask==3.0.3\n--extra-index-url https://download.pytorch.org/whl/cpu\n-r base.txt\nnumpy>=1.26 # pinned\nhttps://x/y.whl\nPyYAML[libyaml]\n')).to.deep.equal([
      'flask',
      'numpy',
      'pyyaml',
    ])
  })

  it('gives each dev package what only it needs; shared or requested packages stay', () => {
    const requires = new Map([
      ['flask', ['jinja2', 'werkzeug']],
      ['ipykernel', ['debugpy', 'tornado']],
      ['jupyterlab', ['jupyterlab-server', 'jinja2', 'ipykernel']],
      ['jupyterlab-server', ['babel', 'json5']],
      ['notebook', ['tornado', 'json5']],
    ])
    const installed = new Set(['babel', 'debugpy', 'flask', 'ipykernel', 'jinja2', 'json5', 'jupyterlab', 'jupyterlab-server', 'notebook', 'tornado', 'werkzeug'])
    const result = exclusiveDependencies(['notebook', 'jupyterlab', 'ipykernel', 'jupyterlab-server', 'debugpy'], installed, requires, ['json5'])
    // json5 is requested; tornado goes to notebook, first in order (ipykernel needs it too); jinja2 is flask's
    expect(Object.fromEntries(result)).to.deep.equal({'jupyterlab-server': ['babel'], notebook: ['tornado']})
    // notebook, not dev here and needed by nobody, is a production root: json5 and tornado stay
    const alone = exclusiveDependencies(['jupyterlab'], installed, requires, [])
    expect(alone.get('jupyterlab')).to.deep.equal(['babel', 'debugpy', 'ipykernel', 'jupyterlab-server'])
  })

  it('adds the packages only a dev package needs to its finding, from the slug METADATA', () => {
    const scan = new ScanBuilder()
    .dist('flask', '3.0.3', {'flask/app.py': 100_000}, {requires: ['Jinja2>=3.1.2', 'Werkzeug>=3.0.0']})
    .dist('jinja2', '3.1.4', {'jinja2/environment.py': 50_000})
    .dist('werkzeug', '3.0.3', {'werkzeug/serving.py': 60_000})
    .dist('jupyterlab', '4.2.1', {'jupyterlab/static/main.js': 6_000_000}, {requires: ['jinja2>=3.0.3', 'babel>=2.10', 'pytest>=7; extra == "test"']})
    .dist('babel', '2.15.0', {'babel/locale-data/en.dat': 9_000_000})
    .dist('pytest', '8.2.0', {'_pytest/main.py': 300_000})
    .text('requirements.txt', 'flask\njupyterlab\npytest\n')
    .build()
    const {findings} = analyzeScan(scan, {depth: 1, top: 1})
    const jupyterlab = findings.find(f => f.id === 'dev-package:jupyterlab')!
    expect(jupyterlab.packages).to.deep.equal(['jupyterlab', 'babel'])
    expect(jupyterlab.savings).to.equal(6_000_002 + 9_000_002)
    expect(jupyterlab.evidence.join('\n')).to.include('1 more package installed only for it')
    expect(findings.find(f => f.id === 'dev-package:pytest')!.savings).to.equal(300_002)
  })
})
