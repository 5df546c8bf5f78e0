// slug:inspect --html: draws the treemap, size bar and findings from the JSON embedded in the page.
// Plain browser JavaScript, no dependencies; formatBytes and formatPercent are the plugin's own, inlined before this.
/* global formatBytes, formatPercent */
(function () {
  'use strict'

  var report = JSON.parse(document.getElementById('slug-report').textContent)
  var page = JSON.parse(document.getElementById('slug-page').textContent)
  var categories = page.categories
  var total = {compressed: report.totals.compressed, size: report.totals.uncompressed}

  var HEADER = 18 // px of a parent cell's label strip
  var MIN_NESTED_W = 60
  var MIN_NESTED_H = 44
  var MAX_DEPTH = 6

  // Every cell gets an id; parents are kept apart so the tree in the JSON stays small.
  var nodes = []
  var parents = []
  function number(node, parent) {
    node.id = nodes.length
    nodes.push(node)
    parents.push(parent)
    if (node.children) for (var i = 0; i < node.children.length; i++) number(node.children[i], node.id)
  }
  var roots = {}
  ;['folder', 'package'].forEach(function (view) {
    if (page.trees[view]) {
      roots[view] = page.trees[view]
      number(page.trees[view], -1)
    }
  })

  var state = {view: roots.folder ? 'folder' : 'package', area: 'compressed', path: [], found: -1}
  state.path = [roots[state.view].id]

  var $ = function (id) { return document.getElementById(id) }
  function el(tag, className, text) {
    var e = document.createElement(tag)
    if (className) e.className = className
    if (text !== undefined) e.textContent = text
    return e
  }

  function value(node) { return state.area === 'compressed' ? node.compressed : node.size }
  function share(node) { return formatPercent(node.compressed, total.compressed) }
  // Findings write commands and package names in `backticks`: shown as code, still as text nodes only.
  function withCode(parent, text) {
    String(text).split('`').forEach(function (part, i) {
      if (part) parent.appendChild(i % 2 ? el('code', '', part) : document.createTextNode(part))
    })
    return parent
  }
  function plural(n, one, many) { return n.toLocaleString('en-US') + ' ' + (n === 1 ? one : many) }

  function fullPath(id) {
    var names = []
    for (var i = id; parents[i] !== -1; i = parents[i]) names.unshift(nodes[i].name)
    return names.join('/')
  }

  function ancestry(id) {
    var ids = []
    for (var i = id; i !== -1; i = parents[i]) ids.unshift(i)
    return ids
  }

  // ---- squarified treemap (Bruls, Huizing, van Wijk 2000) ----
  function worst(sum, min, max, side) {
    var s2 = sum * sum
    var w2 = side * side
    return Math.max((w2 * max) / s2, s2 / (w2 * min))
  }

  function squarify(items, x, y, w, h) {
    var out = []
    var totalValue = 0
    for (var i = 0; i < items.length; i++) totalValue += items[i].value
    if (totalValue <= 0 || w <= 0 || h <= 0) return out
    var scale = (w * h) / totalValue
    var rx = x, ry = y, rw = w, rh = h
    var row = [], sum = 0, min = Infinity, max = 0
    function layoutRow() {
      var k, area
      if (rw >= rh) {
        var colW = sum / rh
        var yy = ry
        for (k = 0; k < row.length; k++) {
          area = row[k].value * scale
          out.push({node: row[k].node, x: rx, y: yy, w: colW, h: area / colW})
          yy += area / colW
        }
        rx += colW
        rw -= colW
      } else {
        var rowH = sum / rw
        var xx = rx
        for (k = 0; k < row.length; k++) {
          area = row[k].value * scale
          out.push({node: row[k].node, x: xx, y: ry, w: area / rowH, h: rowH})
          xx += area / rowH
        }
        ry += rowH
        rh -= rowH
      }
      row = []
      sum = 0
      min = Infinity
      max = 0
    }
    for (var j = 0; j < items.length; ) {
      var a = items[j].value * scale
      var side = Math.min(rw, rh)
      if (row.length === 0 || worst(sum + a, Math.min(min, a), Math.max(max, a), side) <= worst(sum, min, max, side)) {
        row.push(items[j])
        sum += a
        min = Math.min(min, a)
        max = Math.max(max, a)
        j++
      } else {
        layoutRow()
      }
    }
    if (row.length) layoutRow()
    return out
  }

  function drawable(node) {
    var items = []
    if (!node.children) return items
    for (var i = 0; i < node.children.length; i++) {
      var v = value(node.children[i])
      if (v > 0) items.push({node: node.children[i], value: v})
    }
    items.sort(function (a, b) { return b.value - a.value })
    return items
  }

  // ---- colours ----
  function luminance(hex) {
    var n = parseInt(hex.slice(1), 16)
    return (0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255
  }
  function colour(node) { return (categories[node.category] || categories.other).color }

  // ---- treemap ----
  var treemap = $('treemap')

  function place(div, r) {
    div.style.left = r.x + 'px'
    div.style.top = r.y + 'px'
    div.style.width = Math.max(0, r.w) + 'px'
    div.style.height = Math.max(0, r.h) + 'px'
  }

  function cellLabel(node) {
    if (node.kind === 'dir' && node.children) return node.name + '/'
    if (node.kind === 'dir') return node.name + '/ (' + plural(node.files, 'file', 'files') + ')'
    return node.name
  }

  function makeCell(node, r, depth, nested) {
    var div = el('div', 'cell')
    div.dataset.id = node.id
    div.dataset.depth = depth
    div.dataset.kind = node.kind
    div.dataset.name = node.name
    place(div, r)
    if (nested) {
      div.classList.add('parent')
      div.appendChild(el('span', 'label', cellLabel(node) + '  ' + formatBytes(value(node))))
    } else {
      var c = colour(node)
      div.style.backgroundColor = c
      if (luminance(c) < 0.6) div.classList.add('dark')
      if (node.kind === 'small') div.classList.add('small')
      if (node.kind === 'rest') div.classList.add('rest')
      if (node.children) div.classList.add('zoomable')
      if (r.w > 36 && r.h > 15) {
        div.appendChild(el('span', 'label', cellLabel(node)))
        if (r.h > 30) div.appendChild(el('span', 'size', formatBytes(value(node))))
      }
    }
    if (node.id === state.found) div.classList.add('found')
    return div
  }

  function current() { return nodes[state.path[state.path.length - 1]] }

  // Draws the children of `node` inside `r`; a child with children of its own and room to show them is drawn
  // as a labelled box with its children inside, down to MAX_DEPTH levels, so one view shows the shape of the slug.
  function drawLevel(frag, node, r, depth) {
    var rects = squarify(drawable(node), r.x, r.y, r.w, r.h)
    for (var i = 0; i < rects.length; i++) {
      var c = rects[i]
      if (depth > 1 && c.w * c.h < 1) continue
      var nested = c.node.children && depth < MAX_DEPTH && c.w >= MIN_NESTED_W && c.h >= MIN_NESTED_H
      frag.appendChild(makeCell(c.node, c, depth, nested))
      if (nested) drawLevel(frag, c.node, {x: c.x + 2, y: c.y + HEADER, w: c.w - 4, h: c.h - HEADER - 2}, depth + 1)
    }
  }

  function renderTreemap() {
    var node = current()
    var frag = document.createDocumentFragment()
    drawLevel(frag, node, {x: 0, y: 0, w: treemap.clientWidth, h: treemap.clientHeight}, 1)
    treemap.textContent = ''
    treemap.appendChild(frag)
    treemap.dataset.current = fullPath(node.id)
  }

  function renderBreadcrumb() {
    var nav = $('breadcrumb')
    nav.textContent = ''
    state.path.forEach(function (id, i) {
      if (i > 0) nav.appendChild(el('span', 'sep', '›'))
      var b = el('button', 'crumb', nodes[id].name)
      b.type = 'button'
      if (i === state.path.length - 1) b.setAttribute('aria-current', 'page')
      else b.addEventListener('click', function () { zoomTo(state.path.slice(0, i + 1)) })
      nav.appendChild(b)
    })
    var node = current()
    nav.appendChild(el('span', 'hint', formatBytes(value(node)) + ' · ' + share(node) + ' of the slug · ' +
      (state.path.length > 1 ? 'Esc to go up' : 'click a cell to open it')))
  }

  function render() {
    renderTreemap()
    renderBreadcrumb()
    $('view-folder').setAttribute('aria-pressed', String(state.view === 'folder'))
    $('view-package').setAttribute('aria-pressed', String(state.view === 'package'))
    $('area-compressed').setAttribute('aria-pressed', String(state.area === 'compressed'))
    $('area-uncompressed').setAttribute('aria-pressed', String(state.area === 'size'))
  }

  function zoomTo(path) {
    state.path = path
    state.found = -1
    $('search-status').textContent = ''
    render()
  }

  treemap.addEventListener('click', function (event) {
    var cell = event.target.closest('.cell')
    if (!cell) return
    var id = Number(cell.dataset.id)
    // open the deepest cell that has something inside; a leaf opens the folder that holds it
    var target = nodes[id].children ? id : parents[id]
    if (target === -1 || target === state.path[state.path.length - 1]) return
    zoomTo(ancestry(target))
  })

  document.addEventListener('keydown', function (event) {
    if (event.target === $('search')) return
    if ((event.key === 'Escape' || event.key === 'Backspace') && state.path.length > 1) {
      zoomTo(state.path.slice(0, -1))
    }
  })

  // ---- tooltip ----
  var tooltip = $('tooltip')
  function tipLine(text, className) {
    tooltip.appendChild(el('div', className, text))
  }
  treemap.addEventListener('mousemove', function (event) {
    var cell = event.target.closest('.cell')
    if (!cell) {
      tooltip.hidden = true
      return
    }
    var node = nodes[Number(cell.dataset.id)]
    tooltip.textContent = ''
    tipLine(fullPath(node.id) || node.name, 'tip-path')
    tipLine('Compressed: ' + formatBytes(node.compressed) + ' (' + share(node) + ' of the slug)')
    tipLine('Uncompressed: ' + formatBytes(node.size) + ' (' + formatPercent(node.size, total.size) + ')')
    if (node.kind !== 'file') tipLine(plural(node.files, 'file', 'files'))
    tipLine((node.kind === 'file' ? 'Category: ' : 'Mostly: ') + (categories[node.category] || categories.other).label)
    if (node.kind === 'small') tipLine('files too small to draw one by one (search finds them)', 'tip-hint')
    if (node.kind === 'rest') tipLine('not in the file list this report was made from', 'tip-hint')
    if (node.children) tipLine('click to open', 'tip-hint')
    tooltip.hidden = false
    var x = event.clientX + 14
    var y = event.clientY + 14
    var box = tooltip.getBoundingClientRect()
    if (x + box.width > window.innerWidth - 8) x = event.clientX - box.width - 14
    if (y + box.height > window.innerHeight - 8) y = event.clientY - box.height - 14
    tooltip.style.left = Math.max(4, x) + 'px'
    tooltip.style.top = Math.max(4, y) + 'px'
  })
  treemap.addEventListener('mouseleave', function () { tooltip.hidden = true })

  // ---- search: every drawn cell, plus the paths inside "small files" cells ----
  var indexes = {}
  function searchIndex() {
    if (indexes[state.view]) return indexes[state.view]
    var entries = []
    ;(function walk(node) {
      if (node.id !== roots[state.view].id) {
        var path = fullPath(node.id)
        entries.push({path: path, lower: path.toLowerCase(), cell: node.id, size: node.compressed})
      }
      if (node.members) {
        var base = parents[node.id] === roots[state.view].id ? '' : fullPath(parents[node.id]) + '/'
        for (var m = 0; m < node.members.length; m++) {
          var p = base + node.members[m]
          entries.push({path: p, lower: p.toLowerCase(), cell: node.id, member: true})
        }
      }
      if (node.children) node.children.forEach(walk)
    })(roots[state.view])
    indexes[state.view] = entries
    return entries
  }

  function search(query) {
    var q = query.trim().toLowerCase()
    if (!q) return []
    var hits = []
    var entries = searchIndex()
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i]
      var at = e.lower.indexOf(q)
      if (at === -1) continue
      var base = e.lower.slice(e.lower.lastIndexOf('/') + 1)
      hits.push({entry: e, rank: base === q ? 0 : at >= e.lower.lastIndexOf('/') ? 1 : 2})
    }
    hits.sort(function (a, b) {
      return a.rank - b.rank || (a.entry.member ? 1 : 0) - (b.entry.member ? 1 : 0) || (b.entry.size || 0) - (a.entry.size || 0)
    })
    return hits.slice(0, 12).map(function (h) { return h.entry })
  }

  function reveal(entry) {
    var cell = nodes[entry.cell]
    // a cell with children opens; a file (or a small-files cell) is shown, highlighted, in its folder
    var open = cell.children && !entry.member ? entry.cell : parents[entry.cell]
    state.path = ancestry(open)
    state.found = open === entry.cell ? -1 : entry.cell
    render()
    $('search-status').textContent = entry.member
      ? entry.path + ' is one of the ' + cell.name + ' (highlighted)'
      : (state.found === -1 ? 'Opened ' : 'Found ') + entry.path
    closeResults()
  }

  var results = $('search-results')
  var shown = []
  var active = 0
  function closeResults() { results.hidden = true }
  function showResults() {
    results.textContent = ''
    shown = search($('search').value)
    active = 0
    if (!$('search').value.trim()) return closeResults()
    if (shown.length === 0) results.appendChild(el('li', 'empty', 'Nothing matches'))
    shown.forEach(function (entry, i) {
      var li = el('li', i === active ? 'active' : '')
      li.appendChild(el('span', 'path', entry.path))
      li.appendChild(el('span', 'size', entry.member ? 'in ' + nodes[entry.cell].name : formatBytes(nodes[entry.cell].compressed)))
      li.addEventListener('mousedown', function (event) {
        event.preventDefault()
        reveal(entry)
      })
      results.appendChild(li)
    })
    results.hidden = false
  }
  $('search').addEventListener('input', showResults)
  $('search').addEventListener('focus', function () { if ($('search').value.trim()) showResults() })
  $('search').addEventListener('blur', closeResults)
  $('search').addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && shown.length) {
      reveal(shown[active])
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      if (!shown.length) return
      active = (active + (event.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length
      Array.prototype.forEach.call(results.children, function (li, i) { li.classList.toggle('active', i === active) })
    } else if (event.key === 'Escape') {
      closeResults()
    }
  })

  // ---- toggles ----
  function setView(view) {
    if (!roots[view] || view === state.view) return
    state.view = view
    state.path = [roots[view].id]
    state.found = -1
    $('search-status').textContent = ''
    if ($('search').value.trim()) showResults()
    render()
  }
  $('view-folder').addEventListener('click', function () { setView('folder') })
  $('view-package').addEventListener('click', function () { setView('package') })
  $('area-compressed').addEventListener('click', function () { state.area = 'compressed'; render() })
  $('area-uncompressed').addEventListener('click', function () { state.area = 'size'; render() })
  if (!roots.folder) {
    $('view-folder').disabled = true
    $('view-folder').title = 'A build log lists packages, not files'
  }
  if (roots[state.view].size <= 0) {
    $('area-uncompressed').disabled = true
    $('area-uncompressed').title = 'Uncompressed sizes are not known for this report'
  }

  // ---- header, size bar, legend, findings, notes (drawn once) ----
  function renderHeader() {
    $('title').textContent = page.title
    var badge = $('kind-badge')
    badge.textContent = report.prediction ? 'prediction' : 'measured slug'
    badge.className = 'badge' + (report.prediction ? ' prediction' : '')
    var s = report.source
    var parts = []
    if (s.app) parts.push('app ' + s.app)
    if (s.release !== undefined) parts.push('release v' + s.release)
    if (s.slugId) parts.push('slug ' + s.slugId)
    if (s.buildId) parts.push('build ' + s.buildId)
    if (s.stack) parts.push(s.stack)
    if (s.commit) parts.push('commit ' + s.commit.slice(0, 10))
    if (s.file) parts.push(s.file)
    if (s.dir) parts.push(s.dir)
    if (report.totals.files > 0) parts.push(plural(report.totals.files, 'file', 'files'))
    var source = $('source')
    parts.forEach(function (p) { source.appendChild(el('span', '', p)) })
    if (report.prediction) {
      var why = report.kind === 'build-log'
        ? 'These sizes are predicted from a build log (the build left no slug), not measured.'
        : 'These sizes are predicted from the local repo and its installed packages, not measured from a slug.'
      $('prediction').appendChild(el('p', 'banner', why))
    }
  }

  function renderSizeBar() {
    var t = report.totals
    var text = $('size-text')
    text.appendChild(el('strong', '', formatBytes(t.compressed) + (report.prediction ? ' compressed (predicted)' : ' compressed')))
    text.appendChild(document.createTextNode(' · ' + formatPercent(t.compressed, t.limit) + ' of the ' + formatBytes(t.limit) + ' limit' +
      (t.uncompressed > 0 ? ' · ' + formatBytes(t.uncompressed) + ' uncompressed ' : ' ')))
    if (t.compressed > t.limit) text.appendChild(el('span', 'over', 'over the limit by ' + formatBytes(t.compressed - t.limit)))
    else if (t.compressed > t.warning) text.appendChild(el('span', 'near', 'over the ' + formatBytes(t.warning) + ' warning'))
    var scaleMax = Math.max(t.limit * 1.12, t.compressed * 1.04)
    var bar = $('bar')
    var counted = 0
    report.categories.slice().sort(function (a, b) { return b.compressed - a.compressed }).forEach(function (c) {
      if (c.compressed <= 0) return
      counted += c.compressed
      var seg = el('div', 'seg')
      seg.style.width = (100 * c.compressed / scaleMax) + '%'
      seg.style.backgroundColor = (categories[c.category] || categories.other).color
      seg.title = (categories[c.category] || categories.other).label + ': ' + formatBytes(c.compressed) + ' (' + formatPercent(c.compressed, t.compressed) + ')'
      bar.appendChild(seg)
    })
    if (t.compressed - counted > 0) {
      var rest = el('div', 'seg')
      rest.style.width = (100 * (t.compressed - counted) / scaleMax) + '%'
      rest.style.backgroundColor = '#c9ced6'
      rest.title = 'Not attributed to a category (tar headers, entries outside /app, unlisted files): ' + formatBytes(t.compressed - counted)
      bar.appendChild(rest)
    }
    ;[['warning', t.warning, formatBytes(t.warning) + ' warning'], ['limit', t.limit, formatBytes(t.limit) + ' limit']].forEach(function (m) {
      var mark = el('div', 'mark ' + m[0])
      mark.style.left = (100 * m[1] / scaleMax) + '%'
      mark.appendChild(el('span', 'mark-label', m[2]))
      bar.appendChild(mark)
    })
  }

  function renderLegend() {
    var legend = $('legend')
    report.categories.slice().sort(function (a, b) { return b.compressed - a.compressed }).forEach(function (c) {
      var style = categories[c.category] || categories.other
      var item = el('span', 'legend-item')
      var sw = el('span', 'swatch')
      sw.style.backgroundColor = style.color
      item.appendChild(sw)
      item.appendChild(document.createTextNode(style.label + ' ' + formatBytes(c.compressed)))
      legend.appendChild(item)
    })
  }

  // A finding names a file, or a folder with a trailing slash; a folder may be part of a joined cell ("lib/python3.12").
  function showPath(path) {
    var wanted = path.replace(/\/+$/, '')
    var previous = state.view
    if (roots.folder) setView('folder')
    var entries = searchIndex()
    var best = null
    for (var i = 0; i < entries.length; i++) {
      var p = entries[i].path
      if (p === wanted) return reveal(entries[i])
      if (p.indexOf(wanted + '/') === 0 && (!best || p.length < best.path.length)) best = entries[i]
    }
    if (best) return reveal(best)
    setView(previous)
  }

  function renderFindings() {
    var list = $('findings')
    var findings = report.findings.slice().sort(function (a, b) { return b.savings - a.savings })
    $('findings-count').textContent = findings.length ? ' (' + findings.length + ')' : ''
    if (findings.length === 0) {
      list.appendChild(el('li', 'none', 'Nothing to report: no heavy or misplaced files found.'))
      return
    }
    findings.forEach(function (f) {
      var li = el('li', 'finding')
      li.dataset.id = f.id
      var head = el('div', 'finding-head')
      var title = el('span', 'finding-title')
      title.appendChild(el('span', 'sev ' + f.severity))
      withCode(title, f.title)
      title.firstChild.title = f.severity + ' severity'
      head.appendChild(title)
      if (f.savings > 0) head.appendChild(el('span', 'savings', (f.estimated ? '~' : '') + formatBytes(f.savings)))
      li.appendChild(head)
      if (f.evidence && f.evidence.length) {
        var ul = el('ul', 'evidence')
        f.evidence.slice(0, 3).forEach(function (line) { ul.appendChild(withCode(el('li'), line)) })
        if (f.evidence.length > 3) ul.appendChild(el('li', '', 'and ' + (f.evidence.length - 3) + ' more'))
        li.appendChild(ul)
      }
      li.appendChild(withCode(el('p', 'remedy'), f.remedy))
      if (f.command) {
        var p = el('p', 'remedy')
        p.appendChild(el('code', '', f.command))
        li.appendChild(p)
      }
      if (f.paths && f.paths.length && roots.folder) {
        var show = el('button', 'show', 'show in the treemap')
        show.type = 'button'
        show.addEventListener('click', function () { showPath(f.paths[0]) })
        li.appendChild(show)
      }
      list.appendChild(li)
    })
  }

  function renderNotes() {
    var notes = report.notes.slice()
    var o = report.totals.outside
    if (o && o.count > 0 && !notes.some(function (n) { return n.indexOf('outside') !== -1 })) {
      notes.push(plural(o.count, 'entry', 'entries') + ' (' + formatBytes(o.size) + ') lie outside /app and are ignored by Heroku.')
    }
    if (!notes.length) return
    var box = $('notes')
    box.appendChild(el('h2', '', 'Notes'))
    var ul = el('ul')
    notes.forEach(function (n) { ul.appendChild(el('li', '', n)) })
    box.appendChild(ul)
  }

  renderHeader()
  renderSizeBar()
  renderLegend()
  renderFindings()
  renderNotes()
  render()

  var resizeTimer
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer)
    resizeTimer = setTimeout(renderTreemap, 100)
  })

  // for tests and the curious: when the first full render finished, in ms since navigation start
  document.documentElement.dataset.ready = 'true'
  window.slugReportRenderedAt = performance.now()
})()
