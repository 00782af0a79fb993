// Packet identifiers (1..65535) for QoS 1/2 PUBLISH, SUBSCRIBE and UNSUBSCRIBE: the next one no
// exchange still holds. Until the ids wrap, every id above the last one given is free, so the
// search is O(1) however wide the in-flight window.

export interface IdHolder {
  holdsId(id: number): boolean;
}

export class PacketIds {
  #last: number;
  #wrapped = false;

  /** `highest`: the highest id still held (a restart's persisted outbox), so new ones start above it. */
  constructor(highest: number) {
    this.#last = highest;
  }

  /** The next id neither holder holds, or 0 when every id is in use. */
  next(requests: IdHolder, outbox: IdHolder): number {
    for (let tries = 0; tries < 65_535; tries++) {
      if (this.#last >= 65_535) {
        this.#last = 0;
        this.#wrapped = true;
      }
      const id = ++this.#last;
      if (!requests.holdsId(id) && !(this.#wrapped && outbox.holdsId(id))) return id;
    }
    return 0;
  }
}
