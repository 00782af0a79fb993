// The write batcher: while corked (the client handling one event), packets gather in one buffer
// of writeChunk bytes and leave as one transport write when the event is done.
import type { Clock, Transport } from "../host.js";

export class Writer {
  /** False once the transport pushed back, until its onWritable. */
  writable = true;
  /** clock.now() of the last write: keepalive counts from it. */
  lastSent = 0;
  readonly #clock: Clock;
  readonly #chunk: number;
  #transport: Transport | undefined = undefined;
  #corked = 0;
  #batch: Uint8Array | undefined = undefined;
  #length = 0;

  constructor(clock: Clock, chunk: number) {
    this.#clock = clock;
    this.#chunk = chunk;
  }

  /** Writes go to this transport from now on. */
  attach(transport: Transport): void {
    this.#transport = transport;
    this.writable = true;
  }

  /** The link is gone: what was gathered is dropped with it. */
  detach(): void {
    this.#transport = undefined;
    this.#batch = undefined;
    this.#length = 0;
  }

  /**
   * Sends bytes, or gathers them while corked. `owned` false: a view (into the outbox arena) that
   * must be copied, since the transport may keep what it is given.
   */
  write(bytes: Uint8Array, owned = true): void {
    if (!this.#transport) return;
    this.lastSent = this.#clock.now();
    const chunk = this.#chunk;
    if (this.#corked > 0 && bytes.length < chunk) {
      if (this.#length + bytes.length > chunk) this.flush();
      this.#batch ??= new Uint8Array(chunk);
      this.#batch.set(bytes, this.#length);
      this.#length += bytes.length;
      return;
    }
    this.flush();
    if (this.#transport && !this.#transport.write(owned ? bytes : bytes.slice())) this.writable = false;
  }

  flush(): void {
    const batch = this.#batch;
    if (!batch || !this.#transport) return;
    const length = this.#length;
    // A fresh buffer next time: the transport may still hold this one.
    this.#batch = undefined;
    this.#length = 0;
    if (!this.#transport.write(batch.subarray(0, length))) this.writable = false;
  }

  cork(): void {
    this.#corked++;
  }

  uncork(): void {
    if (--this.#corked === 0) this.flush();
  }
}
