import mqttPacket from "mqtt-packet";
import { MemoryStore } from "../support/memory-store.js";
import { ENTRY_OVERHEAD, EntryState, FULL, Outbox, TOO_LARGE } from "../../src/mqtt/outbox.js";

/** An encoded PUBLISH as the client hands it to the outbox (QoS > 0 with a placeholder id). */
function publish(topic: string, payload: string, qos: 0 | 1 | 2, version = 4): Uint8Array {
  const packet = { cmd: "publish" as const, topic, payload, qos, retain: false, dup: false, messageId: qos ? 1 : undefined };
  return new Uint8Array(mqttPacket.generate(packet, { protocolVersion: version }));
}

function parse(bytes: Uint8Array, version = 4): mqttPacket.IPublishPacket {
  const parser = mqttPacket.parser({ protocolVersion: version });
  let out: mqttPacket.Packet | undefined;
  parser.on("packet", (p) => (out = p));
  parser.parse(Buffer.from(bytes));
  return out as mqttPacket.IPublishPacket;
}

function send(outbox: Outbox, id: number): { at: number; bytes: Uint8Array } {
  const at = outbox.nextQueued();
  return { at, bytes: outbox.markSent(at, id).slice() };
}

describe("Outbox", () => {
  test("holds each queued message in its encoded size + 12 bytes, nothing more", () => {
    const outbox = new Outbox({ budget: 4096 });
    let encoded = 0;
    for (let i = 0; i < 50; i++) {
      const bytes = publish(`home/office/t${i}`, `{"value":${i}}`, (i % 3) as 0 | 1 | 2);
      encoded += bytes.length;
      expect(outbox.add(bytes, i % 3, false, 4)).toBeGreaterThanOrEqual(0);
    }
    expect(outbox.messages).toBe(50);
    expect(outbox.bytesUsed).toBe(encoded + 50 * ENTRY_OVERHEAD);
    expect(outbox.bytesUsed).toBeLessThanOrEqual(encoded + 50 * 32);
  });

  test("QoS 0 is dropped oldest first; QoS 1/2 is refused when full, never dropped", () => {
    const discarded: number[] = [];
    const outbox = new Outbox({ budget: 200, onDiscard: (seq) => discarded.push(seq) });
    const m = publish("t", "x".repeat(30), 0); // 35 bytes + 12
    const seqs = [0, 1, 2, 3].map(() => outbox.add(m, 0, false, 4));
    expect(seqs).toEqual([0, 1, 2, 3]);
    expect(outbox.add(m, 0, false, 4)).toBe(4);
    expect(discarded).toEqual([0]);
    const q1 = publish("t", "y".repeat(30), 1);
    for (let i = 0; i < 4; i++) expect(outbox.add(q1, 1, false, 4)).toBeGreaterThanOrEqual(0);
    expect(discarded).toEqual([0, 1, 2, 3, 4]);
    expect(outbox.add(q1, 1, false, 4)).toBe(FULL);
    expect(outbox.add(m, 0, false, 4)).toBe(FULL);
    expect(outbox.stats()).toMatchObject({ messages: 4, dropped: 5 }); // the refusals are the caller's to count
    expect(outbox.add(publish("t", "z".repeat(300), 1), 1, false, 4)).toBe(TOO_LARGE);
  });

  test("without an onDiscard listener, coalescing and dropping for room still free the entries", () => {
    const outbox = new Outbox({ budget: 100 });
    outbox.add(publish("h", "a", 0), 0, true, 4);
    outbox.add(publish("h", "b", 0), 0, true, 4);
    expect(outbox.stats()).toMatchObject({ messages: 1, coalesced: 1 });
    for (let i = 0; i < 5; i++) outbox.add(publish("t", "x".repeat(20), 0), 0, false, 4);
    expect(outbox.bytesUsed).toBeLessThanOrEqual(100);
    expect(outbox.stats()).toMatchObject({ messages: 2, dropped: 4 }); // 37 bytes each: two fit
  });

  test("coalesce keeps only the newest never-sent message of a topic", () => {
    const discarded: number[] = [];
    const outbox = new Outbox({ budget: 1000, onDiscard: (seq) => discarded.push(seq) });
    outbox.add(publish("lamp/state", "on", 1), 1, true, 4);
    outbox.add(publish("other", "x", 1), 1, true, 4);
    const sent = send(outbox, 7); // "lamp/state" on is in flight now
    outbox.add(publish("lamp/state", "off", 1), 1, true, 4);
    outbox.add(publish("lamp/state", "on", 1), 1, true, 4);
    outbox.add(publish("lamp/stat", "on", 1), 1, true, 4);
    expect(discarded).toEqual([2]);
    expect(outbox.stats().coalesced).toBe(1);
    expect(parse(sent.bytes).payload.toString()).toBe("on");
    const order: string[] = [];
    for (let at = outbox.nextQueued(), id = 8; at >= 0; at = outbox.nextQueued(), id++) {
      const p = parse(outbox.markSent(at, id));
      order.push(`${p.topic}=${p.payload}`);
    }
    expect(order).toEqual(["other=x", "lamp/state=on", "lamp/stat=on"]);
  });

  test("ids are written in when sent; requeue sets DUP in place and keeps the id", () => {
    const outbox = new Outbox({ budget: 1000 });
    outbox.add(publish("a", "1", 1), 1, false, 4);
    outbox.add(publish("b", "2", 2), 2, false, 4);
    const first = send(outbox, 0x1234);
    const second = send(outbox, 0xbeef);
    expect(Buffer.from(first.bytes).toString("hex")).toBe("32060001611234" + "31");
    expect(parse(second.bytes)).toMatchObject({ messageId: 0xbeef, qos: 2, dup: false });
    expect(outbox.inflight).toBe(2);
    outbox.markReleased(outbox.findId(0xbeef));
    const pubrels: number[] = [];
    outbox.requeue((id) => pubrels.push(id));
    expect(pubrels).toEqual([0xbeef]);
    expect(outbox.inflight).toBe(1);
    const again = send(outbox, 999);
    expect(Buffer.from(again.bytes).toString("hex")).toBe("3a060001611234" + "31");
    expect(outbox.nextQueued()).toBe(-1);
    expect(outbox.holdsId(0x1234)).toBe(true);
    outbox.remove(outbox.findId(0x1234));
    outbox.remove(outbox.findId(0xbeef));
    expect(outbox.stats()).toMatchObject({ messages: 0, bytes: 0, inflight: 0 });
  });

  test("urgent entries go before every queued one, but never before a queued one of their own topic", () => {
    const outbox = new Outbox({ budget: 1000 });
    outbox.add(publish("r", "1", 1), 1, false, 4);
    outbox.add(publish("s", "old", 1), 1, false, 4);
    outbox.add(publish("r", "2", 1), 1, false, 4);
    outbox.add(publish("b", "birth", 1), 1, false, 4, true);
    outbox.add(publish("s", "new", 1), 1, false, 4, true); // "s" is queued: it keeps its turn
    outbox.add(publish("h", "health", 0), 0, false, 4, true);
    const order: string[] = [];
    let id = 1;
    for (let at = outbox.nextQueued(); at >= 0; at = outbox.nextQueued()) {
      const urgent = outbox.urgent(at);
      const p = parse(outbox.markSent(at, id++));
      order.push(`${p.topic}=${p.payload}${urgent ? " (urgent)" : ""}`);
      if (p.qos === 0) outbox.remove(at);
    }
    expect(order).toEqual(["b=birth (urgent)", "h=health (urgent)", "r=1", "s=old", "r=2", "s=new"]);
    expect(outbox.stats()).toMatchObject({ messages: 5, inflight: 5 });
  });

  test("an urgent entry removed before it is sent (coalesced) leaves the order as it was", () => {
    const outbox = new Outbox({ budget: 1000 });
    outbox.add(publish("r", "1", 1), 1, false, 4);
    outbox.add(publish("h", "a", 0), 0, true, 4, true);
    outbox.add(publish("h", "b", 0), 0, true, 4, true); // replaces "a"
    const order: string[] = [];
    for (let at = outbox.nextQueued(); at >= 0; at = outbox.nextQueued()) {
      order.push(String(parse(outbox.markSent(at, 9)).payload));
      if (outbox.qos(at) === 0) outbox.remove(at); // QoS 0 leaves once written
    }
    expect(order).toEqual(["b", "1"]);
    expect(outbox.stats().coalesced).toBe(1);
  });

  test("compaction keeps order and ids when the arena's end is reached", () => {
    const outbox = new Outbox({ budget: 300 });
    let id = 1;
    const delivered: string[] = [];
    for (let i = 0; i < 40; i++) {
      expect(outbox.add(publish("t", `m${i}`, 1), 1, false, 4)).toBeGreaterThanOrEqual(0);
      const { bytes } = send(outbox, id++);
      // Acknowledge every message but the newest, one behind: two stay in the arena.
      if (i > 0) {
        const at = outbox.findId(id - 2);
        delivered.push(parse(outbox.bytes(at)).payload.toString());
        outbox.remove(at);
      }
      expect(parse(bytes).payload.toString()).toBe(`m${i}`);
    }
    expect(delivered).toEqual(Array.from({ length: 39 }, (_, i) => `m${i}`));
    expect(outbox.messages).toBe(1);
    expect(outbox.state(outbox.findId(40))).toBe(EntryState.SENT);
  });

  test("QoS 1/2 entries survive in the store; a new outbox over it sends them in order", () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ budget: 1000, store, prefix: "ob" });
    outbox.add(publish("a", "0", 0), 0, false, 4);
    outbox.add(publish("a", "1", 1), 1, false, 4);
    outbox.add(publish("a", "2", 2, 5), 2, false, 5);
    const sent = send(outbox, 1); // QoS 0: leaves
    outbox.remove(sent.at);
    send(outbox, 41);
    send(outbox, 42);
    outbox.add(publish("a", "3", 1), 1, false, 4);
    expect(store.keys().sort()).toEqual(["ob1", "ob2", "ob3"]);
    expect(store.keys().every((key) => key.length <= 15)).toBe(true);

    const after = new Outbox({ budget: 1000, store, prefix: "ob" });
    expect(after.messages).toBe(3);
    const seen: Array<[string, number, boolean]> = [];
    for (let at = after.nextQueued(); at >= 0; at = after.nextQueued()) {
      const p = parse(after.markSent(at, after.id(at) || 77), after.version(at));
      seen.push([p.payload.toString(), p.messageId ?? 0, p.dup]);
    }
    // QoS 2 kept its id (the broker may hold it); QoS 1 gets a fresh one.
    expect(seen).toEqual([["1", 77, false], ["2", 42, true], ["3", 77, false]]);
    after.remove(after.findId(42));
    expect(store.keys().sort()).toEqual(["ob1", "ob3"]);
  });

  test("a QoS 2 entry the broker received is stored as its PUBREL: a new outbox releases it and never sends the PUBLISH", () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ budget: 1000, store, prefix: "ob" });
    outbox.add(publish("a", "released", 2), 2, false, 4);
    outbox.add(publish("a", "sent", 2), 2, false, 4);
    send(outbox, 7);
    send(outbox, 8);
    outbox.markReleased(outbox.findId(7)); // PUBREC for id 7: its PUBREL goes next
    expect(Buffer.from(store.read("ob0") as Uint8Array).toString("hex")).toBe("4a0007" + "62020007");

    const after = new Outbox({ budget: 1000, store, prefix: "ob" });
    expect(after.stats()).toMatchObject({ messages: 2, inflight: 1 });
    expect(after.state(after.findId(7))).toBe(EntryState.RELEASED);
    const pubrels: number[] = [];
    after.requeue((id) => pubrels.push(id));
    expect(pubrels).toEqual([7]);
    // Only the one never acknowledged goes again, as a duplicate with its id.
    const again = send(after, 99);
    expect(parse(again.bytes)).toMatchObject({ messageId: 8, dup: true, qos: 2 });
    expect(parse(again.bytes).payload.toString()).toBe("sent");
    expect(after.nextQueued()).toBe(-1);
    after.remove(after.findId(7));
    expect(store.keys()).toEqual(["ob1"]);
  });

  test("a failing store is counted, and the message still kept in RAM", () => {
    const store = new MemoryStore();
    store.failWrites = true;
    const outbox = new Outbox({ budget: 1000, store });
    expect(outbox.add(publish("a", "1", 1), 1, false, 4)).toBe(0);
    expect(outbox.stats()).toMatchObject({ messages: 1, storeFailures: 1 });
  });
});
