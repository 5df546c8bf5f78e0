import {parseSize} from '../util/bytes.js'
import {cleanLogLines} from './clean.js'
import {
  parseAlreadySatisfiedLine,
  parseCollectingLine,
  parseRequiredByLine,
  parseDownloadLine,
  parseInstalledLine,
  parseProgressLine,
} from './pip.js'
import type {ParsedBuildLog, PipDownload} from './types.js'
import {parseUvDownloadedLine, parseUvDownloadLine, parseUvInstalledLine} from './uv.js'

const STEP = /^\s*-----> (.*)$/
/** ` !     text`, ` !` alone, and git's `!\tPush rejected to app.` */
const BANG = /^\s*!(?:[ \t]+(.*))?$/
/** Heroku sizes: "572.9M", "1G", "331 MB" (decimal, as Heroku states the limit) */
const SIZE = String.raw`\d+(?:\.\d+)?\s*[KMGT]?B?`

const STACK = /^Building on the (\S+) stack/
const BUILDPACK = [/^Using buildpack: (\S+)/, /^Fetching (\S+) buildpack/, /^=====> Downloading Buildpack: (\S+)/]
const DETECTED = /^(.+?) app detected$/
const PYTHON_REQUESTED = /^Using Python (\d+(?:\.\d+)*) specified in (\S+)/
const PYTHON_SPECIFIED = /^Using Python version specified in (\S+)/
const PYTHON_DEFAULT = /^No Python version was specified\. Using the (buildpack default|same (?:major )?version as the last build): (?:python-|Python )(\d+(?:\.\d+)*)/
const PYTHON_INSTALL = /^(?:Installing|Using cached install of) (?:python-|Python )(\d+\.\d+(?:\.\d+)?)\b/
const RUNTIME_UNAVAILABLE = /Requested runtime '?\(?(?:python-)?(\d+(?:\.\d+)*)[')]? is not available/i
const SLUGIGNORE = /Deleting (\d+) files? matching \.slugignore patterns/
const TOO_LARGE = new RegExp(`Compiled slug size:?\\s*(${SIZE}) is too large \\(max is (${SIZE})\\)`, 'i')
const DONE = new RegExp(`^\\s*Done:\\s*(${SIZE})\\s*$`)
const SOFT_LIMIT = new RegExp(`Your? slug size \\((${SIZE})\\) exceeds our soft limit \\((${SIZE})\\)`, 'i')
/** pip's own errors; not all are fatal (the resolver's conflict report is printed as ERROR and the install goes on) */
const PIP_ERROR = /^\s*ERROR: (.+)$/
const SUCCEEDED = [/^\s*-----> Launching\.\.\./, /^\s*Released v\d+\b/, /Verifying deploy\.\.\. done\./, /^\s*Build succeeded!/]
const FAILED = /^(?:Push rejected|Push failed|Build failed|Error:)/i
/** bang lines that start a new message instead of continuing the one above */
const MESSAGE_START = /^(?:Warning|Error)\b|^(?:Compiled slug size|Push rejected|Push failed|Build failed|Requested runtime)\b/i

function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value)
}

function herokuSize(text: string): number | undefined {
  return parseSize(text.replace(/([KMGT])B?$/i, '$1B'))
}

/**
 * Collects consecutive bang lines into messages. Blank bang lines stay inside a message (the buildpack
 * writes paragraphs that way); a known first line such as "Push failed" starts a new one.
 */
class MessageCollector {
  readonly errors: string[] = []
  readonly warnings: string[] = []
  private current: string[] = []

  add(text: string): void {
    if (text === '') return
    if (this.current.length > 0 && (MESSAGE_START.test(text) || /^Push (?:rejected|failed)/i.test(this.current[0]))) this.close()
    this.current.push(text)
  }

  close(): void {
    if (this.current.length === 0) return
    const message = this.current.join(' ').replaceAll(/\s+/g, ' ').trim()
    if (/^Warning\b/i.test(message)) this.warnings.push(message)
    else this.errors.push(message)
    this.current = []
  }
}

/**
 * Reads what a Heroku build log says: stack, buildpacks, Python version, every archive pip (or uv)
 * fetched with its size, what was installed, the slug compiler's verdict and the buildpack's errors. Accepts
 * the Platform API's build output as well as a saved `git push` (see cleanLogLines).
 */
export function parseBuildLog(text: string): ParsedBuildLog {
  const lines = cleanLogLines(text)
  const log: ParsedBuildLog = {
    alreadySatisfied: [],
    buildpacks: [],
    detected: [],
    downloads: [],
    errors: [],
    installed: [],
    outcome: 'unknown',
    recognisedLines: 0,
    requiredBy: [],
    requirements: [],
    totalLines: lines.length,
    truncated: false,
    warnings: [],
  }
  const messages = new MessageCollector()
  let lastDownload: PipDownload | undefined
  let compressing = false
  let failed = false
  let succeeded = false
  let installedPython = false

  for (const [index, line] of lines.entries()) {
    const lineNumber = index + 1
    let recognised = true

    const bang = BANG.exec(line)
    if (bang) {
      const message = (bang[1] ?? '').trim()
      // git's own "! [remote rejected] main -> main" repeats the rejection the buildpack already gave
      if (!message.startsWith('[remote rejected]')) messages.add(message)
      if (FAILED.test(message)) failed = true
    } else {
      messages.close()
    }

    const step = STEP.exec(line)?.[1]?.trim() ?? (line.startsWith('=====> ') ? line : undefined)
    const download = parseDownloadLine(line, lineNumber) ?? parseUvDownloadLine(line, lineNumber)
    const progress = download ? undefined : parseProgressLine(line)
    const uvDownloaded = parseUvDownloadedLine(line)
    const uvInstalled = parseUvInstalledLine(line)
    const requirement = parseCollectingLine(line, lineNumber)
    const installed = parseInstalledLine(line)
    const satisfied = parseAlreadySatisfiedLine(line)
    const edge = parseRequiredByLine(line)
    if (edge) log.requiredBy.push(edge)

    if (download) {
      log.downloads.push(download)
      lastDownload = download
    } else if (progress) {
      if (lastDownload) {
        lastDownload.size ??= progress.total
        lastDownload.complete = progress.total !== undefined && progress.received >= progress.total
      }
    } else if (requirement) {
      log.requirements.push(requirement)
      lastDownload = undefined
    } else if (uvDownloaded) {
      const started = log.downloads.findLast(d => d.name === uvDownloaded && !d.complete)
      if (started) started.complete = true
    } else if (installed) {
      log.installed.push(...installed)
    } else if (uvInstalled) {
      log.installed.push(uvInstalled)
    } else if (satisfied) {
      addOnce(log.alreadySatisfied, satisfied)
    } else if (step !== undefined) {
      const stack = STACK.exec(step)
      const detected = DETECTED.exec(step)
      const requested = PYTHON_REQUESTED.exec(step) ?? PYTHON_DEFAULT.exec(step)
      const specified = PYTHON_SPECIFIED.exec(step)
      const install = PYTHON_INSTALL.exec(step)
      const buildpack = BUILDPACK.map(re => re.exec(step)).find(Boolean)
      if (stack) log.stack = stack[1].toLowerCase()
      if (buildpack) addOnce(log.buildpacks, buildpack[1])
      if (detected) addOnce(log.detected, detected[1])
      if (requested && !installedPython) {
        const [, a, b] = requested
        const viaDefault = PYTHON_DEFAULT.test(step)
        log.pythonVersion = viaDefault ? b : a
        log.pythonVersionSource = viaDefault ? a : b
      }

      if (specified) log.pythonVersionSource = specified[1]
      if (install) {
        log.pythonVersion = install[1]
        installedPython = true
      }

      if (/^Compressing\.\.\./.test(step)) compressing = true
    } else if (!bang) {
      recognised = false
    }

    const slugignore = SLUGIGNORE.exec(line)
    if (slugignore) {
      log.slugignoreDeleted = Number(slugignore[1])
      recognised = true
    }

    const tooLarge = TOO_LARGE.exec(line)
    if (tooLarge) {
      log.compiledSize = herokuSize(tooLarge[1])
      log.maxSize = herokuSize(tooLarge[2])
      failed = true
    }

    const done = compressing ? DONE.exec(line) : null
    if (done) {
      log.doneSize = herokuSize(done[1])
      recognised = true
    }

    const soft = SOFT_LIMIT.exec(line)
    if (soft) log.softLimit = {limit: herokuSize(soft[2])!, size: herokuSize(soft[1])!}

    const unavailable = RUNTIME_UNAVAILABLE.exec(line)
    if (unavailable) {
      log.pythonVersion ??= unavailable[1]
      failed = true
      if (!bang) log.errors.push(line.trim())
    }

    const pipError = bang ? null : PIP_ERROR.exec(line)
    if (pipError) log.errors.push(`pip: ${pipError[1].trim()}`)

    if (SUCCEEDED.some(re => re.test(line))) {
      succeeded = true
      recognised = true
    }

    if (recognised) log.recognisedLines++
  }

  messages.close()
  log.errors.push(...messages.errors)
  log.warnings.push(...messages.warnings)
  if (failed) log.outcome = 'failed'
  else if (succeeded || log.doneSize !== undefined) log.outcome = 'succeeded'
  log.truncated = log.outcome === 'unknown' || log.downloads.some(d => !d.complete)
  return log
}
