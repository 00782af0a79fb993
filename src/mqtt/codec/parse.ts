// One packet body -> a packet object in mqtt-packet's shape. The framing (fixed header, length,
// size limit) is the Decoder's; this reads a complete body and validates what the MQTT 3.1.1 and
// 5.0 specifications require of it. Errors are recorded as values (`code`, `message`), never thrown.
import type {
  AckPacket,
  AuthPacket,
  ConnackPacket,
  ConnectPacket,
  DisconnectPacket,
  Packet,
  ProtocolVersion,
  PublishPacket,
  QoS,
  SubackPacket,
  SubscribePacket,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
  UserProperties,
} from "./packet.js";
import { Kind, PACKET_NAMES, PROPERTY_BY_ID } from "./properties.js";
import { isReasonFor } from "./reasons.js";
import { decodeText } from "../../utf8.js";

/** MQTT 5 reason codes the decoder reports. */
export const Reason = Object.freeze({
  MALFORMED: 0x81,
  PROTOCOL_ERROR: 0x82,
  UNSUPPORTED_VERSION: 0x84,
  TOPIC_NAME_INVALID: 0x90,
  PACKET_TOO_LARGE: 0x95,
});

const CMDS: readonly string[] = Object.freeze([
  "reserved",
  "connect",
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "pingreq",
  "pingresp",
  "disconnect",
  "auth",
]);

const EMPTY = Object.freeze(new Uint8Array(0));
const TOPIC_CACHE_SIZE = 8;
const TOPIC_CACHE_BYTES = 64;

type Bag = Record<string, unknown>;

export class BodyParser {
  /** 0 after a good parse, else the MQTT 5 reason code of the failure. */
  code = 0;
  message = "";
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  private end = 0;
  private owned = false;
  private version: ProtocolVersion = 4;
  private readonly allocate: (size: number) => Uint8Array;
  private readonly topics: { bytes: Uint8Array; text: string }[] = [];
  private nextSlot = 0;

  /** `allocate` makes every byte array handed out when the body is not ours to keep. */
  constructor(allocate: (size: number) => Uint8Array) {
    this.allocate = allocate;
  }

  /**
   * Parses the body buf[start, end) of a packet whose first byte (already validated) is `first`.
   * `owned`: buf belongs to this packet, so binary fields may be views of it rather than copies.
   */
  parse(
    first: number,
    buf: Uint8Array,
    start: number,
    end: number,
    owned: boolean,
    version: ProtocolVersion,
  ): Packet | undefined {
    this.code = 0;
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.owned = owned;
    this.version = version;
    const packet = this.body(first, end - start);
    this.buf = EMPTY; // keep no reference to the caller's chunk
    return this.code === 0 ? packet : undefined;
  }

  private body(first: number, length: number): Packet | undefined {
    const type = first >> 4;
    switch (type) {
      case 3:
        return this.publish(first, length);
      case 4:
      case 5:
      case 6:
      case 7:
        return this.ack(first, length);
      case 1:
        return this.connect(first, length);
      case 2:
        return this.connack(first, length);
      case 8:
        return this.subscribe(first, length);
      case 9:
        return this.suback(first, length);
      case 10:
        return this.unsubscribe(first, length);
      case 11:
        return this.unsuback(first, length);
      case 14:
        return this.disconnect(first, length);
      case 15:
        return this.auth(first, length);
      default: {
        const packet = this.head<Packet>(first, length);
        return length === 0 ? packet : this.fail(Reason.MALFORMED, `${PACKET_NAMES[type]} must have no body`);
      }
    }
  }

  /** The fields every packet has, in mqtt-packet's order and with its defaults. */
  private head<T extends Packet>(first: number, length: number): T {
    const packet = {
      cmd: CMDS[first >> 4],
      retain: (first & 0x01) !== 0,
      qos: (first >> 1) & 0x03,
      dup: (first & 0x08) !== 0,
      length,
      topic: null,
      payload: null,
    };
    return packet as unknown as T;
  }

  // ---- packets ----

  private publish(first: number, length: number): Packet | undefined {
    const packet = this.head<PublishPacket>(first, length);
    const topic = this.topicName();
    if (topic === undefined) return undefined;
    packet.topic = topic;
    if (packet.qos !== 0) {
      const id = this.id("PUBLISH");
      if (id < 0) return undefined;
      packet.messageId = id;
    }
    if (this.version === 5) {
      const props = this.properties(3);
      if (this.code !== 0) return undefined;
      if (props !== undefined) packet.properties = props;
    }
    if (topic.length === 0 && (this.version !== 5 || packet.properties?.topicAlias === undefined)) {
      return this.fail(Reason.PROTOCOL_ERROR, "PUBLISH topic is empty and no topic alias stands for it");
    }
    packet.payload = this.take(this.pos, this.end);
    return packet;
  }

  private ack(first: number, length: number): Packet | undefined {
    const packet = this.head<AckPacket>(first, length);
    const id = this.id(PACKET_NAMES[first >> 4]);
    if (id < 0) return undefined;
    packet.messageId = id;
    if (this.version === 5) {
      // Reason code and properties may be absent (then 0x00 and none: MQTT 5 3.4.2.1).
      packet.reasonCode = 0;
      if (this.pos < this.end && !this.reasonInto(packet, packet.cmd)) return undefined;
      if (this.pos < this.end) {
        const props = this.properties(first >> 4);
        if (this.code !== 0) return undefined;
        if (props !== undefined) packet.properties = props;
      }
    }
    return this.done(packet);
  }

  private connect(first: number, length: number): Packet | undefined {
    const packet = this.head<ConnectPacket>(first, length);
    const protocolId = this.string("protocol name");
    if (protocolId === undefined) return undefined;
    if (protocolId !== "MQTT" && protocolId !== "MQIsdp") {
      return this.fail(Reason.UNSUPPORTED_VERSION, `protocol name "${protocolId}" is neither MQTT nor MQIsdp`);
    }
    const byte = this.u8("protocol level");
    if (byte < 0) return undefined;
    // Mosquitto's bridges set the top bit of the level (mqtt-packet's bridgeMode).
    const level = byte & 0x7f;
    if (level !== 3 && level !== 4 && level !== 5) {
      return this.fail(Reason.UNSUPPORTED_VERSION, `protocol level ${byte} is not 3, 4 or 5`);
    }
    this.version = level;
    packet.protocolId = protocolId;
    packet.protocolVersion = level;
    if (byte & 0x80) packet.bridgeMode = true;
    const flags = this.u8("connect flags");
    if (flags < 0) return undefined;
    if ((flags & 0x01) !== 0) return this.fail(Reason.MALFORMED, "CONNECT reserved flag is set");
    const hasWill = (flags & 0x04) !== 0;
    const willQos = (flags >> 3) & 0x03;
    const willRetain = (flags & 0x20) !== 0;
    if (willQos === 3) return this.fail(Reason.MALFORMED, "CONNECT will QoS is 3");
    if (!hasWill && (willQos !== 0 || willRetain)) {
      return this.fail(Reason.MALFORMED, "CONNECT sets will QoS or retain without a will");
    }
    const hasUsername = (flags & 0x80) !== 0;
    const hasPassword = (flags & 0x40) !== 0;
    if (hasPassword && !hasUsername && level !== 5) {
      return this.fail(Reason.MALFORMED, "CONNECT has a password without a user name");
    }
    let will: ConnectPacket["will"];
    if (hasWill) {
      will = { retain: willRetain, qos: willQos as QoS } as ConnectPacket["will"];
      packet.will = will;
    }
    packet.clean = (flags & 0x02) !== 0;
    const keepalive = this.u16("keep alive");
    if (keepalive < 0) return undefined;
    packet.keepalive = keepalive;
    if (level === 5) {
      const props = this.properties(1);
      if (this.code !== 0) return undefined;
      if (props !== undefined) packet.properties = props;
    }
    const clientId = this.string("client identifier");
    if (clientId === undefined) return undefined;
    packet.clientId = clientId;
    if (will !== undefined) {
      if (level === 5) {
        const props = this.properties(0);
        if (this.code !== 0) return undefined;
        if (props !== undefined) will.properties = props;
      }
      const topic = this.string("will topic");
      if (topic === undefined) return undefined;
      if (topic.length === 0 || topic.indexOf("+") !== -1 || topic.indexOf("#") !== -1) {
        return this.fail(Reason.TOPIC_NAME_INVALID, `will topic "${topic}" is empty or contains a wildcard`);
      }
      will.topic = topic;
      const payload = this.binary("will payload");
      if (payload === undefined) return undefined;
      will.payload = payload;
    }
    if (hasUsername) {
      const username = this.string("user name");
      if (username === undefined) return undefined;
      packet.username = username;
    }
    if (hasPassword) {
      const password = this.binary("password");
      if (password === undefined) return undefined;
      packet.password = password;
    }
    return this.done(packet);
  }

  private connack(first: number, length: number): Packet | undefined {
    const packet = this.head<ConnackPacket>(first, length);
    const flags = this.u8("CONNACK flags");
    if (flags < 0) return undefined;
    if (flags > 1) return this.fail(Reason.MALFORMED, "CONNACK flags other than session present are set");
    packet.sessionPresent = flags === 1;
    if (this.version !== 5) {
      const code = this.u8("CONNACK return code");
      if (code < 0) return undefined;
      packet.returnCode = code;
      return this.done(packet);
    }
    if (!this.reasonInto(packet, "connack")) return undefined;
    if (this.pos < this.end) {
      const props = this.properties(2);
      if (this.code !== 0) return undefined;
      if (props !== undefined) packet.properties = props;
    }
    return this.done(packet);
  }

  private subscribe(first: number, length: number): Packet | undefined {
    const packet = this.head<SubscribePacket>(first, length);
    const id = this.id("SUBSCRIBE");
    if (id < 0) return undefined;
    packet.messageId = id;
    if (this.version === 5) {
      const props = this.properties(8);
      if (this.code !== 0) return undefined;
      if (props !== undefined) packet.properties = props;
    }
    const subscriptions: Subscription[] = [];
    packet.subscriptions = subscriptions;
    while (this.pos < this.end) {
      const topic = this.filter("SUBSCRIBE");
      if (topic === undefined) return undefined;
      const options = this.u8("subscription options");
      if (options < 0) return undefined;
      const qos = options & 0x03;
      if (qos === 3) return this.fail(Reason.MALFORMED, `subscription to "${topic}" asks for QoS 3`);
      if (this.version !== 5) {
        if (options > 3) return this.fail(Reason.MALFORMED, "SUBSCRIBE options use reserved bits");
        subscriptions.push({ topic, qos: qos as QoS });
        continue;
      }
      const rh = (options >> 4) & 0x03;
      if (options > 0x3f || rh === 3) return this.fail(Reason.MALFORMED, "SUBSCRIBE options use reserved bits");
      subscriptions.push({ topic, qos: qos as QoS, nl: (options & 0x04) !== 0, rap: (options & 0x08) !== 0, rh });
    }
    if (subscriptions.length === 0) return this.fail(Reason.PROTOCOL_ERROR, "SUBSCRIBE has no topic filter");
    return packet;
  }

  private suback(first: number, length: number): Packet | undefined {
    const packet = this.head<SubackPacket>(first, length);
    const id = this.id("SUBACK");
    if (id < 0) return undefined;
    packet.messageId = id;
    if (this.version === 5) {
      const props = this.properties(9);
      if (this.code !== 0) return undefined;
      if (props !== undefined) packet.properties = props;
    }
    const granted = this.codes("suback");
    if (granted === undefined) return undefined;
    packet.granted = granted;
    return packet;
  }

  private unsubscribe(first: number, length: number): Packet | undefined {
    const packet = this.head<UnsubscribePacket>(first, length);
    const id = this.id("UNSUBSCRIBE");
    if (id < 0) return undefined;
    packet.messageId = id;
    if (this.version === 5) {
      const props = this.properties(10);
      if (this.code !== 0) return undefined;
      if (props !== undefined) packet.properties = props;
    }
    const filters: string[] = [];
    packet.unsubscriptions = filters;
    while (this.pos < this.end) {
      const filter = this.filter("UNSUBSCRIBE");
      if (filter === undefined) return undefined;
      filters.push(filter);
    }
    if (filters.length === 0) return this.fail(Reason.PROTOCOL_ERROR, "UNSUBSCRIBE has no topic filter");
    return packet;
  }

  private unsuback(first: number, length: number): Packet | undefined {
    const packet = this.head<UnsubackPacket>(first, length);
    const id = this.id("UNSUBACK");
    if (id < 0) return undefined;
    packet.messageId = id;
    if (this.version !== 5) return this.done(packet);
    const props = this.properties(11);
    if (this.code !== 0) return undefined;
    if (props !== undefined) packet.properties = props;
    const granted = this.codes("unsuback");
    if (granted === undefined) return undefined;
    packet.granted = granted;
    return packet;
  }

  private disconnect(first: number, length: number): Packet | undefined {
    const packet = this.head<DisconnectPacket>(first, length);
    if (this.version !== 5) return this.done(packet);
    return this.reasonAndProperties(packet, "disconnect", 14);
  }

  private auth(first: number, length: number): Packet | undefined {
    return this.reasonAndProperties(this.head<AuthPacket>(first, length), "auth", 15);
  }

  /** DISCONNECT and AUTH: an optional reason code (default 0x00), then optional properties. */
  private reasonAndProperties(packet: DisconnectPacket | AuthPacket, cmd: string, type: number) {
    packet.reasonCode = 0;
    if (this.pos < this.end && !this.reasonInto(packet, cmd)) return undefined;
    if (this.pos < this.end) {
      const props = this.properties(type);
      if (this.code !== 0) return undefined;
      if (props !== undefined) packet.properties = props;
    }
    return this.done(packet);
  }

  // ---- fields ----

  private fail(code: number, message: string): undefined {
    if (this.code === 0) {
      this.code = code;
      this.message = message;
    }
    return undefined;
  }

  private short(what: string): -1 {
    this.fail(Reason.MALFORMED, `packet ends inside the ${what}`);
    return -1;
  }

  /** The packet, if its body was read to the last byte. */
  private done<T extends Packet>(packet: T): T | undefined {
    if (this.pos === this.end) return packet;
    const extra = this.end - this.pos;
    return this.fail(Reason.MALFORMED, `${PACKET_NAMES[CMDS.indexOf(packet.cmd)]} has ${extra} unexpected trailing bytes`);
  }

  private u8(what: string): number {
    return this.pos < this.end ? this.buf[this.pos++] : this.short(what);
  }

  private u16(what: string): number {
    const pos = this.pos;
    if (pos + 2 > this.end) return this.short(what);
    this.pos = pos + 2;
    return (this.buf[pos] << 8) | this.buf[pos + 1];
  }

  private u32(what: string): number {
    const pos = this.pos;
    if (pos + 4 > this.end) return this.short(what);
    this.pos = pos + 4;
    const b = this.buf;
    return b[pos] * 0x1000000 + ((b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]);
  }

  private varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) return this.short(what);
      const byte = this.buf[this.pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    this.fail(Reason.MALFORMED, `${what} is longer than 4 bytes`);
    return -1;
  }

  /** A packet identifier; the spec forbids 0 wherever one appears. */
  private id(what: string): number {
    const id = this.u16(`${what} packet identifier`);
    if (id === 0) return this.fail(Reason.PROTOCOL_ERROR, `${what} packet identifier is 0`) ?? -1;
    return id;
  }

  private string(what: string): string | undefined {
    const n = this.u16(what);
    if (n < 0) return undefined;
    const start = this.pos;
    if (start + n > this.end) return this.fail(Reason.MALFORMED, `${what} runs past the end of the packet`);
    this.pos = start + n;
    const text = decodeText(this.buf, start, start + n, false);
    if (text === undefined) return this.fail(Reason.MALFORMED, `${what} is not valid UTF-8 or contains U+0000`);
    return text;
  }

  /**
   * A PUBLISH topic. A device sees the same few topics over and over, so the last few are
   * remembered with their bytes: a match skips UTF-8 decoding, the decoder's largest cost.
   */
  private topicName(): string | undefined {
    const n = this.u16("topic");
    if (n < 0) return undefined;
    const start = this.pos;
    if (start + n > this.end) return this.fail(Reason.MALFORMED, "topic runs past the end of the packet");
    const buf = this.buf;
    const cache = this.topics;
    if (n <= TOPIC_CACHE_BYTES) {
      for (let slot = 0; slot < cache.length; slot++) {
        const known = cache[slot].bytes;
        // topics of one device often differ only at the end: look there first
        if (known.length !== n || known[n - 1] !== buf[start + n - 1]) continue;
        let i = 0;
        while (i < n && known[i] === buf[start + i]) i++;
        if (i === n) {
          this.pos = start + n;
          return cache[slot].text;
        }
      }
    }
    this.pos = start + n;
    const topic = decodeText(buf, start, start + n, false);
    if (topic === undefined) return this.fail(Reason.MALFORMED, "topic is not valid UTF-8 or contains U+0000");
    if (topic.indexOf("+") !== -1 || topic.indexOf("#") !== -1) {
      return this.fail(Reason.TOPIC_NAME_INVALID, `PUBLISH topic "${topic}" contains a wildcard`);
    }
    if (n > 0 && n <= TOPIC_CACHE_BYTES) {
      const entry = { bytes: buf.slice(start, start + n), text: topic };
      if (cache.length < TOPIC_CACHE_SIZE) cache.push(entry);
      else cache[this.nextSlot] = entry;
      this.nextSlot = (this.nextSlot + 1) % TOPIC_CACHE_SIZE;
    }
    return topic;
  }

  private filter(what: string): string | undefined {
    const filter = this.string(`${what} topic filter`);
    if (filter === "") return this.fail(Reason.PROTOCOL_ERROR, `${what} topic filter is empty`);
    return filter;
  }

  private binary(what: string): Uint8Array | undefined {
    const n = this.u16(what);
    if (n < 0) return undefined;
    const start = this.pos;
    if (start + n > this.end) return this.fail(Reason.MALFORMED, `${what} runs past the end of the packet`);
    this.pos = start + n;
    return this.take(start, start + n);
  }

  /** Bytes handed to the application: a view of our own body, or a copy of the caller's chunk. */
  private take(start: number, end: number): Uint8Array {
    if (this.owned) return this.buf.subarray(start, end);
    const out = this.allocate(end - start);
    if (end - start <= 16) {
      for (let i = start; i < end; i++) out[i - start] = this.buf[i]; // cheaper than a view for a few bytes
    } else {
      out.set(this.buf.subarray(start, end));
    }
    return out;
  }

  private reasonInto(packet: { reasonCode?: number }, cmd: string): boolean {
    const code = this.u8(`${cmd.toUpperCase()} reason code`);
    if (code < 0) return false;
    if (!isReasonFor(cmd, code)) {
      this.fail(Reason.MALFORMED, `0x${code.toString(16)} is not a valid ${cmd.toUpperCase()} reason code`);
      return false;
    }
    packet.reasonCode = code;
    return true;
  }

  /** The SUBACK/UNSUBACK list of codes, at least one, each valid for the version. */
  private codes(cmd: string): number[] | undefined {
    const list: number[] = [];
    while (this.pos < this.end) {
      const code = this.buf[this.pos++];
      const ok =
        this.version === 5 ? isReasonFor(cmd, code) : code <= 2 || code === 0x80;
      if (!ok) return this.fail(Reason.MALFORMED, `0x${code.toString(16)} is not a valid ${cmd.toUpperCase()} code`);
      list.push(code);
    }
    if (list.length === 0) return this.fail(Reason.PROTOCOL_ERROR, `${cmd.toUpperCase()} has no reason codes`);
    return list;
  }

  /** MQTT 5 properties for packet `type` (0: will); undefined when there are none or on error. */
  private properties<T extends object>(type: number): T | undefined {
    const size = this.varint("property length");
    if (size < 0) return undefined;
    if (size === 0) return undefined;
    const end = this.end;
    const stop = this.pos + size;
    if (stop > end) return this.fail(Reason.MALFORMED, "properties run past the end of the packet");
    this.end = stop; // every read below stays inside the properties
    const props: Bag = {};
    while (this.pos < stop && this.code === 0) this.property(props, type);
    this.end = end;
    return this.code === 0 ? (props as T) : undefined;
  }

  private property(props: Bag, type: number): void {
    const id = this.buf[this.pos++];
    const spec = id <= 0x2a ? PROPERTY_BY_ID[id] : undefined;
    if (spec === undefined) {
      this.fail(Reason.MALFORMED, `0x${id.toString(16)} is not an MQTT 5 property identifier`);
      return;
    }
    const name = spec.name;
    if ((spec.packets & (1 << type)) === 0) {
      this.fail(Reason.PROTOCOL_ERROR, `property ${name} is not allowed in ${PACKET_NAMES[type]}`);
      return;
    }
    let value: unknown;
    switch (spec.kind) {
      case Kind.PAIR: {
        const key = this.string("user property name");
        const text = key === undefined ? undefined : this.string("user property value");
        if (key !== undefined && text !== undefined) addUserProperty(props, key, text);
        return;
      }
      case Kind.FLAG:
      case Kind.BYTE: {
        const byte = this.u8(name);
        if (byte < 0) return;
        if (byte > 1) {
          this.fail(Reason.PROTOCOL_ERROR, `property ${name} is ${byte}, not 0 or 1`);
          return;
        }
        value = spec.kind === Kind.FLAG ? byte === 1 : byte;
        break;
      }
      case Kind.U16:
        value = this.u16(name);
        break;
      case Kind.U32:
        value = this.u32(name);
        break;
      case Kind.VARINT:
        value = this.varint(name);
        break;
      case Kind.STRING:
        value = this.string(name);
        break;
      default:
        value = this.binary(name);
    }
    if (this.code !== 0) return;
    if (spec.nonZero && value === 0) {
      this.fail(Reason.PROTOCOL_ERROR, `property ${name} is 0`);
      return;
    }
    const previous = props[name];
    if (previous === undefined) {
      props[name] = value;
    } else if (id === 0x0b && type === 3) {
      // A PUBLISH carries one subscription identifier per matching subscription.
      if (Array.isArray(previous)) previous.push(value);
      else props[name] = [previous, value];
    } else {
      this.fail(Reason.PROTOCOL_ERROR, `property ${name} appears more than once`);
    }
  }
}

// A prototype-less object, so a peer's user property named "__proto__" stays a plain entry.
function addUserProperty(props: Bag, key: string, value: string): void {
  let pairs = props["userProperties"] as UserProperties | undefined;
  if (pairs === undefined) {
    pairs = Object.create(null) as UserProperties;
    props["userProperties"] = pairs;
  }
  const previous = pairs[key];
  if (previous === undefined) pairs[key] = value;
  else if (Array.isArray(previous)) previous.push(value);
  else pairs[key] = [previous, value];
}
