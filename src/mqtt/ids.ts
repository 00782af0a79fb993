// Packet identifiers (1..65535) for QoS 1/2 PUBLISH, SUBSCRIBE and UNSUBSCRIBE: the next one no
// exchange still holds. Until the ids wrap, every id above the last one given is free, so the
// search is O(1) however wide the in-flight window.

export interface IdHolder {
  holdsId(id: number): boolean;
}

export class PacketIds {
  #last = 0;
  #wrapped = false;

  /** New ids start above `id`: the highest one a restart's persisted outbox still holds. */
  startAbove(id: number): void {
    if (id > this.#last) this.#last = id;
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
