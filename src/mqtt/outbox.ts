// The offline outbox: encoded PUBLISH packets with their state in one arena of a fixed byte
// budget (esp-mqtt's outbox, made bounded). Each entry is a 12-byte header and the packet bytes,
// so what a queued message costs is exactly its encoded size + 12. QoS 1/2 entries are also
// written through the Store port, so a new session over the same store sends them; a QoS 2 entry
// the broker has received (PUBREC) is stored as its PUBREL, so a restart releases it and never
// sends the PUBLISH again [MQTT-4.3.3-1].
import type { Store } from "../host.js";
import { decodeUtf8 } from "../utf8.js";

/** Entry states. */
export const EntryState = Object.freeze({ FREE: 0, QUEUED: 1, SENT: 2, RELEASED: 3 });

/** What a queued message costs on top of its encoded bytes. */
export const ENTRY_OVERHEAD = 12;

// Header: u32 packet length, u32 sequence, u8 state, u8 flags, u16 packet id (0: none yet).
const LENGTH = 0;
const SEQ = 4;
const STATE = 8;
const FLAGS = 9;
const ID = 10;
// Flags: bits 0-1 QoS, bit 2 coalesce, bit 3 persisted, bits 4-6 protocol version of the bytes,
// bit 7 urgent (queued, and sent before every other queued entry).
const COALESCE = 4;
const PERSISTED = 8;
const URGENT = 0x80;

/** Why an entry left the outbox without being sent. */
export const Discard = Object.freeze({ DROPPED: 0, COALESCED: 1 });

export interface OutboxOptions {
  /** Bytes for headers and packets together. */
  budget: number;
  /** Where QoS 1/2 entries survive a restart; none: RAM only. */
  store?: Store;
  /** Store key prefix (<= 8 characters, so keys stay within 15). */
  prefix?: string;
  /** An entry was removed unsent: QoS 0 dropped for room, or replaced by a newer one of its topic. */
  onDiscard?(seq: number, why: number): void;
}

export interface OutboxStats {
  budget: number;
  bytes: number;
  messages: number;
  inflight: number;
  /** Entries the outbox discarded itself: QoS 0 for room, and stored ones over the budget at load. */
  dropped: number;
  coalesced: number;
  storeFailures: number;
}

/** add() results below zero. */
export const TOO_LARGE = -1;
export const FULL = -2;

export class Outbox {
  readonly budget: number;
  #arena: Uint8Array;
  #view: DataView;
  /** Offsets: first entry (live or free) and end of the last one. */
  #head = 0;
  #tail = 0;
  /** Where the search for the next QUEUED entry starts; every entry before it is sent or free. */
  #cursor = 0;
  #used = 0;
  #count = 0;
  #withId = 0;
  #inflight = 0;
  /** QUEUED entries flagged urgent. */
  #urgent = 0;
  #seq = 0;
  #dropped = 0;
  #coalesced = 0;
  #storeFailures = 0;
  readonly #store: Store | undefined;
  readonly #prefix: string;
  readonly #onDiscard: ((seq: number, why: number) => void) | undefined;

  constructor(options: OutboxOptions) {
    this.budget = Math.max(64, Math.floor(options.budget));
    this.#arena = new Uint8Array(this.budget);
    this.#view = new DataView(this.#arena.buffer);
    this.#store = options.store;
    this.#prefix = options.prefix ?? "ob";
    if (this.#prefix.length > 8) throw new RangeError("outbox store prefix must be at most 8 characters");
    this.#onDiscard = options.onDiscard;
    if (this.#store) this.#load(this.#store);
  }

  /**
   * Appends an encoded PUBLISH (QoS > 0 packets carry a placeholder packet id). Returns its
   * sequence number, or TOO_LARGE / FULL. QoS 0 entries are dropped oldest first to make room.
   * An urgent entry is sent before every other queued one, unless one of its own topic is still
   * queued: messages of one topic always leave in the order they came.
   */
  add(bytes: Uint8Array, qos: number, coalesce: boolean, version: number, urgent = false): number {
    const size = ENTRY_OVERHEAD + bytes.length;
    if (size > this.budget) return TOO_LARGE;
    if (coalesce) this.#coalesce(bytes);
    if (this.#used + size > this.budget) this.#dropQos0(size);
    if (this.#used + size > this.budget) return FULL;
    if (this.#tail + size > this.budget) this.#compact();
    const seq = this.#seq;
    this.#seq = (this.#seq + 1) >>> 0;
    let flags = qos | (coalesce ? COALESCE : 0) | (version << 4);
    if (qos > 0 && this.#store) {
      if (this.#persist(seq, flags, 0, bytes)) flags |= PERSISTED;
    }
    if (urgent && !this.#queuedTopic(bytes)) {
      flags |= URGENT;
      this.#urgent++;
    }
    this.#put(this.#tail, bytes, seq, EntryState.QUEUED, flags, 0);
    this.#tail += size;
    return seq;
  }

  /** The offset of the next QUEUED entry (the first urgent one, else the oldest), or -1. Valid until the next add(). */
  nextQueued(): number {
    if (this.#urgent > 0) {
      for (let at = this.#cursor; at < this.#tail; at = this.#next(at)) {
        if (this.#arena[at + STATE] === EntryState.QUEUED && this.#arena[at + FLAGS] & URGENT) return at;
      }
    }
    let at = this.#cursor;
    while (at < this.#tail && this.#arena[at + STATE] !== EntryState.QUEUED) at = this.#next(at);
    this.#cursor = at;
    return at < this.#tail ? at : -1;
  }

  /**
   * Marks a QUEUED entry as sent with packet id `id` (patched into its bytes; ignored for QoS 0,
   * which leaves the outbox) and returns its bytes, a view into the arena to be copied at once.
   */
  markSent(at: number, id: number): Uint8Array {
    const bytes = this.bytes(at);
    if (this.#arena[at + FLAGS] & URGENT) {
      // Sent out of turn: the oldest queued entry is still where the cursor is.
      this.#arena[at + FLAGS] &= ~URGENT;
      this.#urgent--;
    } else {
      this.#cursor = this.#next(at);
    }
    if (this.qos(at) === 0) return bytes;
    if (this.id(at) === 0) {
      this.#view.setUint16(at + ID, id);
      this.#withId++;
      const p = idOffset(bytes);
      bytes[p] = id >> 8;
      bytes[p + 1] = id & 0xff;
      // QoS 2 needs the same id after a restart, so the broker can recognise the duplicate.
      if (this.qos(at) === 2 && this.#arena[at + FLAGS] & PERSISTED) {
        this.#persist(this.seq(at), this.#arena[at + FLAGS], id, bytes);
      }
    }
    this.#arena[at + STATE] = EntryState.SENT;
    this.#inflight++;
    return bytes;
  }

  /** Finds the SENT or RELEASED entry holding packet id `id`, or -1. */
  findId(id: number): number {
    let seen = 0;
    for (let at = this.#head; at < this.#tail && seen < this.#withId; at = this.#next(at)) {
      if (this.#arena[at + STATE] === EntryState.FREE) continue;
      const own = this.#view.getUint16(at + ID);
      if (own === 0) continue;
      if (own === id) return at;
      seen++;
    }
    return -1;
  }

  /** Whether an entry holds `id` (sent, or queued again for a resend with its original id). */
  holdsId(id: number): boolean {
    return this.findId(id) >= 0;
  }

  /** The highest packet id an entry holds (0: none), so new ids can start above it. */
  highestId(): number {
    let highest = 0;
    for (let at = this.#head; at < this.#tail; at = this.#next(at)) {
      if (this.#arena[at + STATE] !== EntryState.FREE) highest = Math.max(highest, this.id(at));
    }
    return highest;
  }

  /**
   * PUBREC arrived: the entry now waits for PUBCOMP. Its stored record becomes the PUBREL, written
   * before the PUBREL is sent, so that a restart resumes with it.
   */
  markReleased(at: number): void {
    this.#arena[at + STATE] = EntryState.RELEASED;
    if (this.#arena[at + FLAGS] & PERSISTED) {
      const id = this.id(at);
      this.#persist(this.seq(at), this.#arena[at + FLAGS], id, Uint8Array.of(0x62, 0x02, id >> 8, id & 0xff));
    }
  }

  /** Removes an entry (acknowledged, sent at QoS 0, or failed), returning its sequence number. */
  remove(at: number): number {
    const state = this.#arena[at + STATE];
    const seq = this.seq(at);
    if (state === EntryState.FREE) return seq;
    if (state === EntryState.SENT || state === EntryState.RELEASED) this.#inflight--;
    if (this.#arena[at + FLAGS] & URGENT) this.#urgent--;
    if (this.#view.getUint16(at + ID) !== 0) this.#withId--;
    if (this.#arena[at + FLAGS] & PERSISTED) this.#store?.delete(this.#key(seq));
    this.#arena[at + STATE] = EntryState.FREE;
    this.#used -= ENTRY_OVERHEAD + this.#view.getUint32(at + LENGTH);
    this.#count--;
    // Advance the head past freed entries; an empty arena starts over at offset 0.
    while (this.#head < this.#tail && this.#arena[this.#head + STATE] === EntryState.FREE) {
      this.#head = this.#next(this.#head);
    }
    if (this.#head >= this.#tail) this.#head = this.#tail = this.#cursor = 0;
    else if (this.#cursor < this.#head) this.#cursor = this.#head;
    return seq;
  }

  /**
   * After a reconnect: every SENT entry is queued again with DUP set in place (keeping its packet
   * id); RELEASED entries stay, and are returned through `pubrel` for the PUBREL to resend.
   */
  requeue(pubrel: (id: number) => void): void {
    for (let at = this.#head; at < this.#tail; at = this.#next(at)) {
      const state = this.#arena[at + STATE];
      if (state === EntryState.SENT) {
        this.#arena[at + STATE] = EntryState.QUEUED;
        this.#arena[at + ENTRY_OVERHEAD] |= 0x08;
        this.#inflight--;
      } else if (state === EntryState.RELEASED) {
        pubrel(this.id(at));
      }
    }
    this.#cursor = this.#head;
  }

  /** Changes the QoS of a QUEUED, never-sent QoS 2 entry to 1 in place (a broker's Maximum QoS). */
  downgrade(at: number): void {
    this.#arena[at + FLAGS] = (this.#arena[at + FLAGS] & ~3) | 1;
    const first = at + ENTRY_OVERHEAD;
    this.#arena[first] = (this.#arena[first] & ~0x06) | 0x02;
  }

  /** The entry's topic (decoded: for error reports, not the hot path). */
  topic(at: number): string {
    const bytes = this.bytes(at);
    const p = topicAt(bytes);
    return decodeUtf8(bytes, p + 2, p + 2 + ((bytes[p] << 8) | bytes[p + 1])) ?? "";
  }
  /** Whether the packet has its retain flag. */
  retained(at: number): boolean {
    return (this.#arena[at + ENTRY_OVERHEAD] & 1) === 1;
  }

  bytes(at: number): Uint8Array {
    const start = at + ENTRY_OVERHEAD;
    return this.#arena.subarray(start, start + this.#view.getUint32(at + LENGTH));
  }
  qos(at: number): number {
    return this.#arena[at + FLAGS] & 3;
  }
  version(at: number): number {
    return (this.#arena[at + FLAGS] >> 4) & 7;
  }
  /** Queued to be sent before the others. */
  urgent(at: number): boolean {
    return (this.#arena[at + FLAGS] & URGENT) !== 0;
  }
  id(at: number): number {
    return this.#view.getUint16(at + ID);
  }
  seq(at: number): number {
    return this.#view.getUint32(at + SEQ);
  }
  state(at: number): number {
    return this.#arena[at + STATE];
  }

  /** QoS 1/2 packets sent and not yet completed. */
  get inflight(): number {
    return this.#inflight;
  }
  get messages(): number {
    return this.#count;
  }
  /** Bytes held: packets plus their headers. */
  get bytesUsed(): number {
    return this.#used;
  }

  stats(): OutboxStats {
    return {
      budget: this.budget,
      bytes: this.#used,
      messages: this.#count,
      inflight: this.#inflight,
      dropped: this.#dropped,
      coalesced: this.#coalesced,
      storeFailures: this.#storeFailures,
    };
  }

  #next(at: number): number {
    return at + ENTRY_OVERHEAD + this.#view.getUint32(at + LENGTH);
  }

  #put(at: number, bytes: Uint8Array, seq: number, state: number, flags: number, id: number): void {
    this.#view.setUint32(at + LENGTH, bytes.length);
    this.#view.setUint32(at + SEQ, seq);
    this.#arena[at + STATE] = state;
    this.#arena[at + FLAGS] = flags;
    this.#view.setUint16(at + ID, id);
    this.#arena.set(bytes, at + ENTRY_OVERHEAD);
    this.#used += ENTRY_OVERHEAD + bytes.length;
    this.#count++;
    if (id !== 0) this.#withId++;
  }

  /** Moves live entries to the front of the arena, keeping their order. */
  #compact(): void {
    let to = 0;
    let at = this.#head;
    let cursor = -1;
    while (at < this.#tail) {
      const next = this.#next(at);
      if (this.#arena[at + STATE] !== EntryState.FREE) {
        if (at === this.#cursor || (cursor < 0 && at > this.#cursor)) cursor = to;
        if (to !== at) this.#arena.copyWithin(to, at, next);
        to += next - at;
      }
      at = next;
    }
    this.#head = 0;
    this.#tail = to;
    this.#cursor = cursor < 0 ? to : cursor;
  }

  /** Whether a QUEUED entry has the same topic as `bytes`. */
  #queuedTopic(bytes: Uint8Array): boolean {
    for (let at = this.#cursor; at < this.#tail; at = this.#next(at)) {
      if (this.#arena[at + STATE] === EntryState.QUEUED && sameTopic(this.bytes(at), bytes)) return true;
    }
    return false;
  }

  /** Frees never-sent entries with the same topic as `bytes` (coalesce: newest value only). */
  #coalesce(bytes: Uint8Array): void {
    for (let at = this.#cursor; at < this.#tail; at = this.#next(at)) {
      if (this.#arena[at + STATE] !== EntryState.QUEUED || this.id(at) !== 0) continue;
      if (!sameTopic(this.bytes(at), bytes)) continue;
      this.#coalesced++;
      // Removed first: an optional call would skip evaluating its argument when no one listens.
      const seq = this.remove(at);
      this.#onDiscard?.(seq, Discard.COALESCED);
    }
  }

  #dropQos0(size: number): void {
    for (let at = this.#cursor; at < this.#tail && this.#used + size > this.budget; at = this.#next(at)) {
      if (this.#arena[at + STATE] !== EntryState.QUEUED || this.qos(at) !== 0) continue;
      this.#dropped++;
      const seq = this.remove(at);
      this.#onDiscard?.(seq, Discard.DROPPED);
    }
  }

  #key(seq: number): string {
    return this.#prefix + seq.toString(36);
  }

  // Stored record: flags, packet id (u16), then the packet bytes: the PUBLISH, or its PUBREL once received.
  #persist(seq: number, flags: number, id: number, bytes: Uint8Array): boolean {
    const record = new Uint8Array(3 + bytes.length);
    record[0] = (flags & ~URGENT) | PERSISTED;
    record[1] = id >> 8;
    record[2] = id & 0xff;
    record.set(bytes, 3);
    const store = this.#store as Store;
    if (store.write(this.#key(seq), record)) return true;
    this.#storeFailures++;
    return false;
  }

  #load(store: Store): void {
    const found: number[] = [];
    for (const key of store.keys()) {
      if (!key.startsWith(this.#prefix)) continue;
      const rest = key.slice(this.#prefix.length);
      if (!/^[0-9a-z]{1,7}$/.test(rest)) continue;
      found.push(parseInt(rest, 36));
    }
    found.sort((a, b) => a - b);
    for (const seq of found) {
      const key = this.#key(seq);
      const record = store.read(key);
      const size = record ? ENTRY_OVERHEAD + record.length - 3 : 0;
      if (!record || record.length < 6 || this.#used + size > this.budget) {
        // Unreadable, or more than this budget holds: keep the store consistent with RAM.
        if (record) this.#dropped++;
        store.delete(key);
        continue;
      }
      const id = (record[1] << 8) | record[2];
      // A stored PUBREL: the broker has the message and waits for the release. A PUBLISH with a
      // remembered id went out before: resend it as a duplicate.
      const released = record[3] >> 4 === 6 && id !== 0;
      if (!released && id !== 0) record[3] |= 0x08;
      this.#put(this.#tail, record.subarray(3), seq, released ? EntryState.RELEASED : EntryState.QUEUED, record[0] | PERSISTED, id);
      if (released) this.#inflight++;
      this.#tail += size;
      this.#seq = (seq + 1) >>> 0;
    }
  }
}

/** Where the topic's 2-byte length sits in an encoded PUBLISH: after the fixed header. */
function topicAt(bytes: Uint8Array): number {
  let p = 1;
  while (bytes[p] & 0x80) p++;
  return p + 1;
}

/** Where the packet id sits in an encoded QoS > 0 PUBLISH: right after the topic. */
function idOffset(bytes: Uint8Array): number {
  const p = topicAt(bytes);
  return p + 2 + ((bytes[p] << 8) | bytes[p + 1]);
}

/** Whether two encoded PUBLISH packets have the same topic. */
function sameTopic(a: Uint8Array, b: Uint8Array): boolean {
  const p = topicAt(a);
  const q = topicAt(b);
  const length = (a[p] << 8) | a[p + 1];
  if (length !== ((b[q] << 8) | b[q + 1])) return false;
  for (let i = 2; i < length + 2; i++) if (a[p + i] !== b[q + i]) return false;
  return true;
}
