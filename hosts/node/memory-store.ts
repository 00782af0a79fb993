// A Store in memory: the Node host's default when no directory is given, and the tests' store,
// with a switch that makes writes fail (a full or broken flash) and a count of the bytes held.
import type { Store } from "../../src/host.js";
import { checkStoreKey } from "./store-key.js";

export class MemoryStore implements Store {
  /** While true every write returns false and changes nothing. */
  failWrites = false;
  /** Writes attempted, failed ones included. */
  writes = 0;
  #values = new Map<string, Uint8Array>();

  read(key: string): Uint8Array | undefined {
    checkStoreKey(key);
    const value = this.#values.get(key);
    // A copy, as from flash: a caller changing it must not change what is stored.
    return value === undefined ? undefined : value.slice();
  }

  write(key: string, value: Uint8Array): boolean {
    checkStoreKey(key);
    this.writes++;
    if (this.failWrites) return false;
    this.#values.set(key, value.slice());
    return true;
  }

  delete(key: string): void {
    checkStoreKey(key);
    this.#values.delete(key);
  }

  keys(): string[] {
    return [...this.#values.keys()];
  }

  /** Bytes of all stored values (keys not counted). */
  get bytes(): number {
    let total = 0;
    for (const value of this.#values.values()) total += value.length;
    return total;
  }
}
