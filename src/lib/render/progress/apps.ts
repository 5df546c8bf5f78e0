import {SingleBar} from 'cli-progress'

/** What slug:apps says while it works: the listing page by page, then the release histories app by app. */
export interface AppsProgress {
  listed(apps: number, pages: number): void
  history(done: number, total: number): void
  stop(): void
}

/**
 * A progress line on stderr, only when stderr is a terminal and output is not JSON (piped output and --json stay
 * clean), cleared when the table is printed. The listing's length is not known until its last page: it counts up.
 */
export function appsProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): AppsProgress | undefined {
  if (!enabled || !stream.isTTY) return undefined
  const options = {barsize: 30, clearOnComplete: true, hideCursor: true, stream}
  let listing: SingleBar | undefined
  let history: SingleBar | undefined
  const stopListing = () => {
    listing?.stop()
    listing = undefined
  }

  return {
    history(done, total) {
      stopListing()
      if (history) {
        history.update(done)
      } else {
        history = new SingleBar({...options, format: 'Reading release histories [{bar}] {value}/{total} apps'})
        history.start(total, done)
      }
    },
    listed(apps, pages) {
      const payload = {apps: apps.toLocaleString('en-US'), pages}
      if (listing) {
        listing.update(0, payload)
      } else {
        listing = new SingleBar({...options, format: 'Listing apps: {apps} so far, page {pages}'})
        listing.start(1, 0, payload)
      }
    },
    stop() {
      stopListing()
      history?.stop()
      history = undefined
    },
  }
}
