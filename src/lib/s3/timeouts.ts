/** Bounds on every S3 request, so an endpoint that stops answering never hangs the command. */
export interface S3Timeouts {
  /** to open the TCP (and TLS) connection */
  connectMs: number
  /** with nothing sent or received on the socket: the first byte of an answer, or the next one */
  idleMs: number
  /**
   * the whole of one call but an upload, the SDK's retries included: without it, an endpoint that accepts and
   * never answers holds a call for three idle timeouts. An upload is bounded by the idle timeout alone: on a
   * slow uplink a part may rightly take minutes.
   */
  callMs: number
}

export const DEFAULT_TIMEOUTS: S3Timeouts = {callMs: 90_000, connectMs: 10_000, idleMs: 60_000}
