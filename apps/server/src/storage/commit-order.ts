/**
 * Tickets in the order transactions sent COMMIT; `turn(t)` waits until every earlier ticket
 * is released (its transaction settled, committed or not).
 */
export class CommitOrder {
  #next = 0;
  /** Every ticket below this one is released. */
  #done = 0;
  readonly #released = new Set<number>();
  readonly #waiting = new Map<number, () => void>();

  take(): number {
    return this.#next++;
  }

  turn(ticket: number): Promise<void> | undefined {
    if (ticket === this.#done) return undefined;
    return new Promise((resolve) => this.#waiting.set(ticket, resolve));
  }

  release(ticket: number): void {
    this.#released.add(ticket);
    while (this.#released.delete(this.#done)) this.#done += 1;
    const wake = this.#waiting.get(this.#done);
    if (wake !== undefined) {
      this.#waiting.delete(this.#done);
      wake();
    }
  }
}
