/** Bounds on every S3 request, so an endpoint that stops answering never hangs the command. */
export interface S3Timeouts {
  /** to open the TCP (and TLS) connection */
  connectMs: number
  /** with nothing sent or received on the socket: the first byte of an answer, or the next one */
  idleMs: number
}

export const DEFAULT_TIMEOUTS: S3Timeouts = {connectMs: 10_000, idleMs: 60_000}
