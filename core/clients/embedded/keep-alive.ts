/**
 * Keeps the Node process alive while embedded clients are connected, as open sockets keep a kafkajs
 * process alive: the Clock's timers are unref'd (a timer alone never holds the process), so without this a
 * script ending in `await consumer.run(...)` would exit while its consumer waits for records. One ref'd
 * handle is held while at least one lease is out; it never does any work.
 */

const NEVER_MS = 2 ** 31 - 1;

/**
 * A reference count over one ref'd no-op interval.
 *
 * @example
 * const keepAlive = new KeepAlive();
 * const release = keepAlive.acquire(); // the process stays up
 * release();                           // it may exit again
 */
export class KeepAlive {
  private leases = 0;
  private handle: ReturnType<typeof setInterval> | null = null;

  /** Takes a lease; returns its release function (idempotent). */
  acquire(): () => void {
    if (this.leases++ === 0) this.handle = setInterval(() => undefined, NEVER_MS);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.leases === 0 && this.handle !== null) {
        clearInterval(this.handle);
        this.handle = null;
      }
    };
  }

  /** Leases currently out. */
  get size(): number {
    return this.leases;
  }
}
