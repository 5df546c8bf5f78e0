import {parseSize} from '../../shared/bytes.js'
import {UserError} from '../../shared/errors.js'
import {cleanLogLines} from './clean.js'
import {
  parseAlreadySatisfiedLine,
  parseCollectingLine,
  parseRequiredByLine,
  parseDownloadLine,
  parseInstalledLine,
  parseProgressLine,
} from './pip.js'
import type {ParsedBuildLog, PipDownload} from './log.js'
import {parseUvDownloadedLine, parseUvDownloadLine, parseUvInstalledLine} from './uv.js'

/*
 * A log is untrusted text: every pattern here runs in time linear in the line. No two adjacent quantifiers
 * can match the same characters (the cause of catastrophic backtracking), numbers and gaps are bounded, and
 * lines are trimmed at the end by cleanLogLines, so no pattern needs a trailing `\s*`. Lines longer than
 * MAX_LOG_LINE_CHARS are skipped (and counted): no build prints one.
 */

/** pip's longest honest line, `Successfully installed` with a few hundred packages, is ~20,000 characters. */
export const MAX_LOG_LINE_CHARS = 100_000

/** Heroku sizes: "572.9M", "1G", "331 MB" (decimal, as Heroku states the limit) */
const SIZE = String.raw`\d{1,12}(?:\.\d{1,6})? ?[KMGT]?B?`

const STACK = /^Building on the (\S+) stack/
const BUILDPACK = [/^Using buildpack: (\S+)/, /^Fetching (\S+) buildpack/, /^=====> Downloading Buildpack: (\S+)/]
const DETECTED_SUFFIX = ' app detected'
const PYTHON_REQUESTED = /^Using Python (\d{1,6}(?:\.\d{1,6}){0,4}) specified in (\S+)/
const PYTHON_SPECIFIED = /^Using Python version specified in (\S+)/
const PYTHON_DEFAULT = /^No Python version was specified\. Using the (buildpack default|same (?:major )?version as the last build): (?:python-|Python )(\d{1,6}(?:\.\d{1,6}){0,4})/
const PYTHON_INSTALL = /^(?:Installing|Using cached install of) (?:python-|Python )(\d{1,6}\.\d{1,6}(?:\.\d{1,6})?)\b/
const RUNTIME_UNAVAILABLE = /Requested runtime '?\(?(?:python-)?(\d{1,6}(?:\.\d{1,6}){0,4})[')]? is not available/i
const SLUGIGNORE = /Deleting (\d{1,12}) files? matching \.slugignore patterns/
const TOO_LARGE = new RegExp(`Compiled slug size:? {0,8}(${SIZE}) is too large \\(max is (${SIZE})\\)`, 'i')
const DONE = new RegExp(`^\\s*Done: {0,8}(${SIZE})$`)
const SOFT_LIMIT = new RegExp(`Your? slug size \\((${SIZE})\\) exceeds our soft limit \\((${SIZE})\\)`, 'i')
/** pip's own errors; not all are fatal (the resolver's conflict report is printed as ERROR and the install goes on) */
const PIP_ERROR = /^\s*ERROR: /
const SUCCEEDED = [/^\s*-----> Launching\.\.\./, /^\s*Released v\d/, /Verifying deploy\.\.\. done\./, /^\s*Build succeeded!/]
const FAILED = /^(?:Push rejected|Push failed|Build failed|Error:)/i
/** bang lines that start a new message instead of continuing the one above */
const MESSAGE_START = /^(?:Warning|Error)\b|^(?:Compiled slug size|Push rejected|Push failed|Build failed|Requested runtime)\b/i

/** `-----> text` (any indent): the text; `=====> text`: the whole line; else undefined. */
function stepOf(line: string): string | undefined {
  const trimmed = line.trimStart()
  if (trimmed.startsWith('-----> ')) return trimmed.slice(7).trim()
  return line.startsWith('=====> ') ? line : undefined
}

/** ` !     text`, ` !` alone, and git's `!\tPush rejected to app.`: the text ('' for a bare bang); else undefined. */
function bangOf(line: string): string | undefined {
  const trimmed = line.trimStart()
  if (!trimmed.startsWith('!')) return undefined
  const rest = trimmed.slice(1)
  if (rest === '') return ''
  return rest[0] === ' ' || rest[0] === '\t' ? rest.trim() : undefined
}

function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value)
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
  const state = newState(lines.length)
  const {log} = state
  for (const [index, line] of lines.entries()) {
    if (line.length > MAX_LOG_LINE_CHARS) {
      log.longLinesSkipped++
      continue
    }

    const bang = readBang(state, line)
    let recognised = readPipLine(state, line, index + 1)
    if (!recognised) {
      const step = stepOf(line)
      if (step !== undefined) readStep(state, step)
      recognised = step !== undefined || bang !== undefined
    }

    if (readSlugLine(state, line, bang)) recognised = true
    if (recognised) log.recognisedLines++
  }

  return finish(state)
}

/** What the reading of a log keeps between lines. */
interface LogState {
  log: ParsedBuildLog
  messages: MessageCollector
  lastDownload?: PipDownload
  compressing: boolean
  failed: boolean
  succeeded: boolean
  installedPython: boolean
}

function newState(totalLines: number): LogState {
  const log: ParsedBuildLog = {
    alreadySatisfied: [],
    buildpacks: [],
    detected: [],
    downloads: [],
    errors: [],
    installed: [],
    longLinesSkipped: 0,
    outcome: 'unknown',
    recognisedLines: 0,
    requiredBy: [],
    requirements: [],
    totalLines,
    truncated: false,
    warnings: [],
  }
  return {compressing: false, failed: false, installedPython: false, log, messages: new MessageCollector(), succeeded: false}
}

/** A `!` message line of the buildpack (its text), collected as an error or a warning; undefined for any other line. */
function readBang(state: LogState, line: string): string | undefined {
  const bang = bangOf(line)
  if (bang === undefined) {
    state.messages.close()
    return undefined
  }

  // git's own "! [remote rejected] main -> main" repeats the rejection the buildpack already gave
  if (!bang.startsWith('[remote rejected]')) state.messages.add(bang)
  if (FAILED.test(bang)) state.failed = true
  return bang
}

/** A line of pip or uv (a download, its progress, a requirement, what was installed); false for any other line. */
function readPipLine(state: LogState, line: string, lineNumber: number): boolean {
  const {log} = state
  const edge = parseRequiredByLine(line)
  if (edge) log.requiredBy.push(edge)
  const download = parseDownloadLine(line, lineNumber) ?? parseUvDownloadLine(line, lineNumber)
  if (download) {
    log.downloads.push(download)
    state.lastDownload = download
    return true
  }

  const progress = parseProgressLine(line)
  if (progress) {
    if (state.lastDownload) {
      state.lastDownload.size ??= progress.total
      state.lastDownload.complete = progress.total !== undefined && progress.received >= progress.total
    }

    return true
  }

  const requirement = parseCollectingLine(line, lineNumber)
  if (requirement) {
    log.requirements.push(requirement)
    state.lastDownload = undefined
    return true
  }

  return readInstallLine(log, line)
}

/** uv's "Downloaded", pip's "Successfully installed", uv's " + name==version", pip's "already satisfied". */
function readInstallLine(log: ParsedBuildLog, line: string): boolean {
  const uvDownloaded = parseUvDownloadedLine(line)
  if (uvDownloaded) {
    const started = log.downloads.findLast(d => d.name === uvDownloaded && !d.complete)
    if (started) started.complete = true
    return true
  }

  const installed = parseInstalledLine(line)
  const uvInstalled = installed ? undefined : parseUvInstalledLine(line)
  if (installed) log.installed.push(...installed)
  else if (uvInstalled) log.installed.push(uvInstalled)
  const satisfied = installed || uvInstalled ? undefined : parseAlreadySatisfiedLine(line)
  if (satisfied) addOnce(log.alreadySatisfied, satisfied)
  return Boolean(installed || uvInstalled || satisfied)
}

/** A `----->` step of the buildpack: the stack, the buildpacks, the Python version, the slug compression. */
function readStep(state: LogState, step: string): void {
  const {log} = state
  const stack = STACK.exec(step)
  const detected = step.length > DETECTED_SUFFIX.length && step.endsWith(DETECTED_SUFFIX) ? step.slice(0, -DETECTED_SUFFIX.length) : undefined
  const requested = PYTHON_REQUESTED.exec(step) ?? PYTHON_DEFAULT.exec(step)
  const specified = PYTHON_SPECIFIED.exec(step)
  const install = PYTHON_INSTALL.exec(step)
  const buildpack = BUILDPACK.map(re => re.exec(step)).find(Boolean)
  if (stack) log.stack = stack[1].toLowerCase()
  if (buildpack) addOnce(log.buildpacks, buildpack[1])
  if (detected) addOnce(log.detected, detected)
  if (requested && !state.installedPython) {
    const [, a, b] = requested
    const viaDefault = PYTHON_DEFAULT.test(step)
    log.pythonVersion = viaDefault ? b : a
    log.pythonVersionSource = viaDefault ? a : b
  }

  if (specified) log.pythonVersionSource = specified[1]
  if (install) {
    log.pythonVersion = install[1]
    state.installedPython = true
  }

  if (/^Compressing\.\.\./.test(step)) state.compressing = true
}

/**
 * The slug compiler's and the build's verdicts, anywhere on a line: .slugignore deletions, the size, the
 * limits, an unavailable Python, pip's errors, success. True when the line counts as recognised for them.
 */
function readSlugLine(state: LogState, line: string, bang: string | undefined): boolean {
  const {log} = state
  let recognised = false
  const slugignore = SLUGIGNORE.exec(line)
  if (slugignore) {
    log.slugignoreDeleted = Number(slugignore[1])
    recognised = true
  }

  const tooLarge = TOO_LARGE.exec(line)
  if (tooLarge) {
    log.compiledSize = parseSize(tooLarge[1])
    log.maxSize = parseSize(tooLarge[2])
    state.failed = true
  }

  const done = state.compressing ? DONE.exec(line) : null
  if (done) {
    log.doneSize = parseSize(done[1])
    recognised = true
  }

  const soft = SOFT_LIMIT.exec(line)
  if (soft) log.softLimit = {limit: parseSize(soft[2])!, size: parseSize(soft[1])!}
  readFailureLine(state, line, bang)
  if (SUCCEEDED.some(re => re.test(line))) {
    state.succeeded = true
    recognised = true
  }

  return recognised
}

/** An unavailable Python version (the build fails) and pip's ERROR lines. */
function readFailureLine(state: LogState, line: string, bang: string | undefined): void {
  const {log} = state
  const unavailable = RUNTIME_UNAVAILABLE.exec(line)
  if (unavailable) {
    log.pythonVersion ??= unavailable[1]
    state.failed = true
    if (bang === undefined) log.errors.push(line.trim())
  }

  const pipError = bang === undefined ? PIP_ERROR.exec(line) : null
  if (pipError) {
    const text = line.slice(pipError[0].length).trim()
    if (text) log.errors.push(`pip: ${text}`)
  }
}

/** The messages, the outcome and whether the log is cut short, once every line is read. */
function finish(state: LogState): ParsedBuildLog {
  const {log, messages} = state
  messages.close()
  log.errors.push(...messages.errors)
  log.warnings.push(...messages.warnings)
  if (state.failed) log.outcome = 'failed'
  else if (state.succeeded || log.doneSize !== undefined) log.outcome = 'succeeded'
  log.truncated = log.outcome === 'unknown' || log.downloads.some(d => !d.complete)
  return log
}

/** Parses a log and refuses one with nothing a pip or buildpack build would print. */
export function parseBuildLogOrThrow(text: string, name: string): ParsedBuildLog {
  const log = parseBuildLog(text)
  if (log.recognisedLines === 0) {
    throw new UserError(`No pip or buildpack lines found in ${name}: is it the output of a Heroku build (git push heroku main, or heroku builds:output)?`)
  }

  return log
}
