/**
 * A one-listener wake-up flag: whoever waits arms it, anyone may wake it. A wake with nobody waiting is
 * remembered, so the next wait returns at once (a seek, resume or rebalance is never missed).
 */

/**
 * Interrupts a pending wait.
 *
 * @example
 * const signal = new WakeSignal();
 * signal.wake();             // nobody waits: remembered
 * signal.arm(() => {});      // true: already woken, do not wait
 */
export class WakeSignal {
  private listener: (() => void) | null = null;
  private pending = false;

  /** Wakes the current waiter, or remembers the wake for the next one. */
  wake(): void {
    const listener = this.listener;
    if (listener !== null) {
      this.listener = null;
      listener();
    } else {
      this.pending = true;
    }
  }

  /** Registers the waiter; returns true (and registers nothing) when a wake is already pending. */
  arm(listener: () => void): boolean {
    if (this.pending) {
      this.pending = false;
      return true;
    }
    this.listener = listener;
    return false;
  }

  /** Removes the waiter (its wait ended for another reason). */
  disarm(listener: () => void): void {
    if (this.listener === listener) this.listener = null;
  }

  /** Forgets a remembered wake. */
  clear(): void {
    this.pending = false;
  }
}
