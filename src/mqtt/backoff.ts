// Reconnect delays: exponential with full jitter and a cap, so a fleet does not stampede a broker
// that comes back; the attempt count is reset by the session once a link has proved stable, and
// lowered after a link lost sooner to what that link lived.

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

  /**
   * The next delay: uniform in [min, min(max, min * 2^attempt)], and in [min, 2 * min] for the
   * first: a fleet that lost its broker in the same instant must not all come back in the same one.
   */
  next(): number {
    const ceiling = Math.min(this.max, this.min * 2 ** Math.min(Math.max(this.#attempt, 1), 30));
    this.#attempt++;
    return Math.round(this.min + this.#random() * (ceiling - this.min));
  }

  /** A delay near the cap, uniform in [max/2, max]: for refusals that retrying soon cannot fix. */
  longest(): number {
    this.#attempt = 31;
    return Math.round(this.max / 2 + (this.#random() * this.max) / 2);
  }

  /**
   * A link that worked for `livedMs` before it was lost: the next delay's ceiling is at most what
   * it lived, so a link cut every few seconds is retried every few seconds rather than at the cap.
   * A link that dies before twice `min` earns nothing: a broker that kicks at once still backs off.
   */
  credit(livedMs: number): void {
    const earned = Math.floor(Math.log2(livedMs / this.min));
    if (earned >= 1 && earned < this.#attempt) this.#attempt = earned;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
