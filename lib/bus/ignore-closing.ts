// For `.catch(ignoreClosing)` on closing a channel, connection, pool or consumer, or rolling
// back, at shutdown or after a failure: the resource may already be closed (its connection
// died, the broker closed it), which is the state we wanted; the error that caused the close is
// reported where it happened.
export function ignoreClosing(): void {
  /* already closed: nothing left to do */
}
