// Reconnect delays: exponential with full jitter and a cap, so a fleet does not stampede a broker
// that comes back; the attempt count is reset by the session once a link has proved stable.

export interface BackoffOptions {
  /** Shortest delay in ms (also the floor of every drawn delay, so there is never a hot loop). */
  min: number;
  /** Longest delay in ms. */
  max: number;
}

export class Backoff {
  readonly min: number;
  readonly max: number;
  #attempt = 0;
  readonly #random: () => number;

  constructor(options: BackoffOptions, random: () => number) {
    this.min = Math.max(1, options.min);
    this.max = Math.max(this.min, options.max);
    this.#random = random;
  }

  get attempt(): number {
    return this.#attempt;
  }

  /** The next delay: uniform in [min, min(max, min * 2^attempt)]. */
  next(): number {
    const ceiling = Math.min(this.max, this.min * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(this.min + this.#random() * (ceiling - this.min));
  }

  /** A delay near the cap, uniform in [max/2, max]: for refusals that retrying soon cannot fix. */
  longest(): number {
    this.#attempt = 31;
    return Math.round(this.max / 2 + (this.#random() * this.max) / 2);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
