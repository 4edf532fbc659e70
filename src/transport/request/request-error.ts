// Why a request got no answer. Every failure carries a code a Catch node (or a switch on the
// error output) can act on, and a sentence that says what to do.
import { NetcastError } from '../../errors';

export type RequestErrorCode =
  /** no answer within the timeout, after every retry */
  | 'ERR_NETCAST_REQUEST_TIMEOUT'
  /** the connection closed while the request was in flight or waiting */
  | 'ERR_NETCAST_REQUEST_CONNECTION_LOST'
  /** the device is known to be unreachable (the last connect failed; a retry is scheduled) */
  | 'ERR_NETCAST_REQUEST_NOT_CONNECTED'
  /** too many requests are already waiting for this device */
  | 'ERR_NETCAST_REQUEST_QUEUE_FULL'
  /** the request is too short to hold its transaction id */
  | 'ERR_NETCAST_REQUEST_ID'
  /** the pool holds as many connections as it may, all busy */
  | 'ERR_NETCAST_REQUEST_POOL_FULL'
  /** two request nodes on one endpoint recognise answers differently */
  | 'ERR_NETCAST_REQUEST_RULE'
  /** the endpoint is closing (redeploy, shutdown) */
  | 'ERR_NETCAST_REQUEST_CLOSED';

export class RequestError extends NetcastError {
  declare readonly code: RequestErrorCode;
  constructor(code: RequestErrorCode, message: string) {
    super(message, code);
  }
}
