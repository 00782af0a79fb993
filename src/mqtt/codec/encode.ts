// Packet -> bytes. Each packet is measured first and then written into one exactly sized
// Uint8Array, with no intermediate buffers. A packet that MQTT forbids is a programming error:
// it throws an Error saying what is wrong. Bytes match `mqtt-packet`'s generator for valid packets.
import type {
  AckPacket,
  AuthPacket,
  Bytes,
  ConnackPacket,
  ConnectInput,
  DisconnectPacket,
  PacketInput,
  ProtocolVersion,
  PublishInput,
  SubackPacket,
  SubscribePacket,
  UnsubackPacket,
  UnsubscribePacket,
} from "./packet.js";
import type { BytePool } from "./pool.js";
import { In, Kind, PACKET_NAMES, PROPERTY_BY_NAME, type PropertySpec } from "./properties.js";
import { isReasonFor } from "./reasons.js";
import { decodeText, utf8Length, writeUtf8 } from "../../utf8.js";

const MAX_REMAINING_LENGTH = 268435455;
const MAX_VARINT = 268435455;

/**
 * Encodes `packet` for `protocolVersion` (default 4); a CONNECT uses its own `protocolVersion`.
 * With a `pool`, the bytes are a view into one of its slabs: faster on V8, but keep them short-lived.
 */
export function encode(packet: PacketInput, protocolVersion: ProtocolVersion = 4, pool?: BytePool): Uint8Array {
  const v: unknown = protocolVersion;
  if (v !== 3 && v !== 4 && v !== 5) fail(`protocol version must be 3, 4 or 5, not ${String(v)}`);
  switch (packet.cmd) {
    case "publish":
      return encodePublish(packet, protocolVersion, pool);
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return encodeAck(packet, protocolVersion, pool);
    case "connect":
      return encodeConnect(packet, pool);
    case "connack":
      return encodeConnack(packet, protocolVersion, pool);
    case "subscribe":
      return encodeSubscribe(packet, protocolVersion, pool);
    case "suback":
      return encodeSuback(packet, protocolVersion, pool);
    case "unsubscribe":
      return encodeUnsubscribe(packet, protocolVersion, pool);
    case "unsuback":
      return encodeUnsuback(packet, protocolVersion, pool);
    case "pingreq":
      return frame(0xc0, 0, pool);
    case "pingresp":
      return frame(0xd0, 0, pool);
    case "disconnect":
      return encodeDisconnect(packet, protocolVersion, pool);
    case "auth":
      return encodeAuth(packet, protocolVersion, pool);
    default:
      return fail(`unknown packet cmd "${String((packet as { cmd: unknown }).cmd)}"`);
  }
}

function fail(message: string): never {
  throw new Error(`cannot encode: ${message}`);
}

/** A string field given as bytes (as mqtt-packet allows): the text they hold, which must be strict UTF-8. */
function text(value: unknown, what: string): unknown {
  if (!(value instanceof Uint8Array)) return value;
  const decoded = decodeText(value as Bytes, 0, value.length, true);
  return decoded === undefined ? fail(`${what} bytes are not valid UTF-8`) : decoded;
}

// ---- packets ----

function encodePublish(p: PublishInput, version: ProtocolVersion, pool: BytePool | undefined): Uint8Array {
  const qos: unknown = p.qos ?? 0;
  if (qos !== 0 && qos !== 1 && qos !== 2) fail(`PUBLISH qos must be 0, 1 or 2, not ${String(qos)}`);
  if (p.dup && qos === 0) fail("PUBLISH with QoS 0 must not set dup");
  const topic = text(p.topic, "PUBLISH topic");
  if (typeof topic !== "string") fail("PUBLISH topic must be a string");
  if (topic.length === 0 && (version !== 5 || p.properties?.topicAlias === undefined)) {
    fail("PUBLISH topic must not be empty (MQTT 5 allows it only with a topic alias)");
  }
  let length = topicNameSize(topic, "PUBLISH topic");
  const id = qos === 0 ? 0 : messageId(p.messageId, "PUBLISH");
  if (qos !== 0) length += 2;
  let propsSize = 0;
  if (version === 5) {
    propsSize = propertiesSize(p.properties, 3);
    length += varintSize(propsSize) + propsSize;
  }
  const payload: unknown = p.payload;
  if (typeof payload === "string") length += utf8Length(payload);
  else if (payload instanceof Uint8Array) length += payload.length;
  else if (payload !== undefined && payload !== null) fail("PUBLISH payload must be a Uint8Array or a string");

  const out = frame(0x30 | (p.dup ? 0x08 : 0) | (qos << 1) | (p.retain ? 0x01 : 0), length, pool);
  let pos = writeString(out, out.length - length, topic);
  if (qos !== 0) pos = writeU16(out, pos, id);
  if (version === 5) pos = writeProperties(out, pos, p.properties, propsSize);
  if (typeof payload === "string") writeUtf8(payload, out, pos);
  else if (payload instanceof Uint8Array) out.set(payload, pos);
  return out;
}

const ACK_TYPES: Readonly<Record<string, number>> = Object.freeze({ puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7 });

function encodeAck(p: AckPacket, version: ProtocolVersion, pool: BytePool | undefined): Uint8Array {
  const type = ACK_TYPES[p.cmd];
  const id = messageId(p.messageId, p.cmd);
  const first = (type << 4) | (type === 6 ? 0x02 : 0);
  if (version !== 5) {
    const out = frame(first, 2, pool);
    writeU16(out, 2, id);
    return out;
  }
  const code = reasonCode(p.reasonCode, p.cmd);
  const propsSize = propertiesSize(p.properties, type);
  // Reason code and properties may be left out together when both say nothing (MQTT 5 3.4.2.1).
  if (code === 0 && propsSize === 0 && !hasEntries(p.properties)) {
    const out = frame(first, 2, pool);
    writeU16(out, 2, id);
    return out;
  }
  const length = 3 + varintSize(propsSize) + propsSize;
  const out = frame(first, length, pool);
  let pos = writeU16(out, out.length - length, id);
  out[pos++] = code;
  writeProperties(out, pos, p.properties, propsSize);
  return out;
}

function encodeConnect(p: ConnectInput, pool: BytePool | undefined): Uint8Array {
  const version: unknown = p.protocolVersion ?? 4;
  if (version !== 3 && version !== 4 && version !== 5) {
    fail(`CONNECT protocolVersion must be 3, 4 or 5, not ${String(version)}`);
  }
  const protocolId = text(p.protocolId, "CONNECT protocolId") ?? (version === 3 ? "MQIsdp" : "MQTT");
  if (protocolId !== "MQTT" && protocolId !== "MQIsdp") fail(`CONNECT protocolId must be "MQTT" or "MQIsdp"`);
  const clean = p.clean ?? true;
  const keepalive = uint(p.keepalive ?? 0, 0xffff, "CONNECT keepalive");
  const clientId = text(p.clientId, "CONNECT clientId");
  if (typeof clientId !== "string") fail("CONNECT clientId must be a string");
  if (clientId === "" && version === 3) fail("MQTT 3.1 needs a non-empty clientId");
  if (clientId === "" && version === 4 && !clean) fail("an empty clientId needs clean: true in MQTT 3.1.1");

  let length = stringSize(protocolId, "CONNECT protocolId") + 4 + stringSize(clientId, "CONNECT clientId");
  let propsSize = 0;
  if (version === 5) {
    propsSize = propertiesSize(p.properties, 1);
    length += varintSize(propsSize) + propsSize;
  }
  const will = p.will;
  let willProps = 0;
  let willQos = 0;
  if (will !== undefined && will !== null) {
    if (typeof will !== "object") fail("CONNECT will must be an object");
    const topic: unknown = will.topic;
    if (typeof topic !== "string" || topic.length === 0) fail("will topic must be a non-empty string");
    const qos: unknown = will.qos ?? 0;
    if (qos !== 0 && qos !== 1 && qos !== 2) fail(`will qos must be 0, 1 or 2, not ${String(qos)}`);
    willQos = qos;
    length += topicNameSize(topic, "will topic") + binarySize(will.payload ?? "", "will payload");
    if (version === 5) {
      willProps = propertiesSize(will.properties, 0);
      length += varintSize(willProps) + willProps;
    }
  }
  const username = text(p.username, "CONNECT username");
  const hasUsername = username !== undefined && username !== null;
  const hasPassword = p.password !== undefined && p.password !== null;
  if (hasUsername) length += stringSize(username, "CONNECT username");
  if (hasPassword) {
    if (!hasUsername && version !== 5) fail("a password needs a username before MQTT 5");
    length += binarySize(p.password, "CONNECT password");
  }

  const out = frame(0x10, length, pool);
  let pos = writeString(out, out.length - length, protocolId);
  out[pos++] = p.bridgeMode ? version | 0x80 : version;
  out[pos++] =
    (hasUsername ? 0x80 : 0) |
    (hasPassword ? 0x40 : 0) |
    (will && will.retain ? 0x20 : 0) |
    (willQos << 3) |
    (will ? 0x04 : 0) |
    (clean ? 0x02 : 0);
  pos = writeU16(out, pos, keepalive);
  if (version === 5) pos = writeProperties(out, pos, p.properties, propsSize);
  pos = writeString(out, pos, clientId);
  if (will) {
    if (version === 5) pos = writeProperties(out, pos, will.properties, willProps);
    pos = writeString(out, pos, will.topic);
    pos = writeBinary(out, pos, will.payload ?? "");
  }
  if (hasUsername) pos = writeString(out, pos, username as string);
  if (hasPassword) writeBinary(out, pos, p.password as Uint8Array | string);
  return out;
}

function encodeConnack(p: ConnackPacket, version: ProtocolVersion, pool: BytePool | undefined): Uint8Array {
  let length = 2;
  let propsSize = 0;
  let code: number;
  if (version === 5) {
    code = reasonCode(p.reasonCode, "connack");
    propsSize = propertiesSize(p.properties, 2);
    length += varintSize(propsSize) + propsSize;
  } else {
    code = uint(p.returnCode ?? 0, 0xff, "CONNACK returnCode");
  }
  const out = frame(0x20, length, pool);
  let pos = out.length - length;
  out[pos++] = p.sessionPresent ? 1 : 0;
  out[pos++] = code;
  if (version === 5) writeProperties(out, pos, p.properties, propsSize);
  return out;
}

function encodeSubscribe(p: SubscribePacket, version: ProtocolVersion, pool: BytePool | undefined): Uint8Array {
  const id = messageId(p.messageId, "SUBSCRIBE");
  const subs: unknown = p.subscriptions;
  if (!Array.isArray(subs) || subs.length === 0) fail("SUBSCRIBE needs at least one subscription");
  let length = 2;
  let propsSize = 0;
  if (version === 5) {
    propsSize = propertiesSize(p.properties, 8);
    length += varintSize(propsSize) + propsSize;
  }
  for (const s of p.subscriptions) {
    if (typeof s.topic !== "string" || s.topic.length === 0) fail("a subscription topic must be a non-empty string");
    length += stringSize(s.topic, "subscription topic") + 1;
    const qos: unknown = s.qos;
    if (qos !== 0 && qos !== 1 && qos !== 2) fail(`subscription qos must be 0, 1 or 2, not ${String(qos)}`);
    const rh: unknown = s.rh ?? 0;
    if (rh !== 0 && rh !== 1 && rh !== 2) fail(`retain handling must be 0, 1 or 2, not ${String(rh)}`);
  }
  const out = frame(0x82, length, pool);
  let pos = writeU16(out, out.length - length, id);
  if (version === 5) pos = writeProperties(out, pos, p.properties, propsSize);
  for (const s of p.subscriptions) {
    pos = writeString(out, pos, s.topic);
    out[pos++] = version === 5 ? s.qos | (s.nl ? 0x04 : 0) | (s.rap ? 0x08 : 0) | ((s.rh ?? 0) << 4) : s.qos;
  }
  return out;
}

function encodeSuback(p: SubackPacket, version: ProtocolVersion, pool: BytePool | undefined): Uint8Array {
  const id = messageId(p.messageId, "SUBACK");
  const granted = codeList(p.granted, "SUBACK granted");
  for (const code of granted) {
    const ok = version === 5 ? isReasonFor("suback", code) : code <= 2 || code === 0x80;
    if (!ok) fail(`SUBACK code 0x${code.toString(16)} is not valid in MQTT ${version === 5 ? "5" : "3.1.1"}`);
  }
  let length = 2 + granted.length;
  let propsSize = 0;
  if (version === 5) {
    propsSize = propertiesSize(p.properties, 9);
    length += varintSize(propsSize) + propsSize;
  }
  const out = frame(0x90, length, pool);
  let pos = writeU16(out, out.length - length, id);
  if (version === 5) pos = writeProperties(out, pos, p.properties, propsSize);
  out.set(granted, pos);
  return out;
}

function encodeUnsubscribe(p: UnsubscribePacket, version: ProtocolVersion, pool: BytePool | undefined): Uint8Array {
  const id = messageId(p.messageId, "UNSUBSCRIBE");
  const filters: unknown = p.unsubscriptions;
  if (!Array.isArray(filters) || filters.length === 0) fail("UNSUBSCRIBE needs at least one topic filter");
  let length = 2;
  let propsSize = 0;
  if (version === 5) {
    propsSize = propertiesSize(p.properties, 10);
    length += varintSize(propsSize) + propsSize;
  }
  for (const f of p.unsubscriptions) {
    if (typeof f !== "string" || f.length === 0) fail("an UNSUBSCRIBE topic filter must be a non-empty string");
    length += stringSize(f, "UNSUBSCRIBE topic filter");
  }
  const out = frame(0xa2, length, pool);
  let pos = writeU16(out, out.length - length, id);
  if (version === 5) pos = writeProperties(out, pos, p.properties, propsSize);
  for (const f of p.unsubscriptions) pos = writeString(out, pos, f);
  return out;
}

function encodeUnsuback(p: UnsubackPacket, version: ProtocolVersion, pool: BytePool | undefined): Uint8Array {
  const id = messageId(p.messageId, "UNSUBACK");
  if (version !== 5) {
    const out = frame(0xb0, 2, pool);
    writeU16(out, 2, id);
    return out;
  }
  const granted = codeList(p.granted, "UNSUBACK granted");
  for (const code of granted) {
    if (!isReasonFor("unsuback", code)) fail(`UNSUBACK reason code 0x${code.toString(16)} is not valid`);
  }
  const propsSize = propertiesSize(p.properties, 11);
  const length = 2 + varintSize(propsSize) + propsSize + granted.length;
  const out = frame(0xb0, length, pool);
  let pos = writeU16(out, out.length - length, id);
  pos = writeProperties(out, pos, p.properties, propsSize);
  out.set(granted, pos);
  return out;
}

// DISCONNECT and AUTH in MQTT 5 always carry the reason code and property length, as
// mqtt-packet writes them; both forms are valid and this keeps the bytes identical.
function encodeDisconnect(p: DisconnectPacket, version: ProtocolVersion, pool: BytePool | undefined): Uint8Array {
  if (version !== 5) return frame(0xe0, 0, pool);
  return encodeReasonOnly(0xe0, 14, "disconnect", p.reasonCode, p.properties, pool);
}

function encodeAuth(p: AuthPacket, version: ProtocolVersion, pool: BytePool | undefined): Uint8Array {
  if (version !== 5) fail("AUTH exists only in MQTT 5");
  return encodeReasonOnly(0xf0, 15, "auth", p.reasonCode, p.properties, pool);
}

function encodeReasonOnly(
  first: number,
  type: number,
  cmd: string,
  rc: unknown,
  props: object | undefined,
  pool: BytePool | undefined,
): Uint8Array {
  const code = reasonCode(rc, cmd);
  const propsSize = propertiesSize(props, type);
  const length = 1 + varintSize(propsSize) + propsSize;
  const out = frame(first, length, pool);
  const pos = out.length - length;
  out[pos] = code;
  writeProperties(out, pos + 1, props, propsSize);
  return out;
}

// ---- fields ----

/** Allocates the whole packet and writes its fixed header; the body starts at `length - remaining`. */
function frame(first: number, remaining: number, pool: BytePool | undefined): Uint8Array {
  if (remaining > MAX_REMAINING_LENGTH) fail(`remaining length ${remaining} exceeds ${MAX_REMAINING_LENGTH} bytes`);
  const size = 1 + varintSize(remaining) + remaining;
  const out = pool === undefined ? new Uint8Array(size) : pool.take(size);
  out[0] = first;
  writeVarint(out, 1, remaining);
  return out;
}

export function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4;
}

export function writeVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[pos++] = n;
  return pos;
}

function writeU16(out: Uint8Array, pos: number, n: number): number {
  out[pos] = n >> 8;
  out[pos + 1] = n & 0xff;
  return pos + 2;
}

function writeU32(out: Uint8Array, pos: number, n: number): number {
  out[pos] = n >>> 24;
  out[pos + 1] = (n >>> 16) & 0xff;
  out[pos + 2] = (n >>> 8) & 0xff;
  out[pos + 3] = n & 0xff;
  return pos + 4;
}

/** Length-prefixed UTF-8: the text is written first and its byte count filled in behind it. */
function writeString(out: Uint8Array, pos: number, text: string): number {
  const end = writeUtf8(text, out, pos + 2);
  writeU16(out, pos, end - pos - 2);
  return end;
}

function writeBinary(out: Uint8Array, pos: number, data: Uint8Array | string): number {
  if (typeof data === "string") return writeString(out, pos, data);
  writeU16(out, pos, data.length);
  out.set(data, pos + 2);
  return pos + 2 + data.length;
}

function stringSize(text: unknown, what: string): number {
  if (typeof text !== "string") fail(`${what} must be a string`);
  const n = utf8Length(text);
  if (n > 0xffff) fail(`${what} is ${n} bytes long; an MQTT string holds at most 65535`);
  if (text.indexOf("\u0000") !== -1) fail(`${what} must not contain U+0000`);
  return 2 + n;
}

/** A topic name's size as an MQTT string, refusing what a topic name must not hold, in one pass. */
function topicNameSize(topic: string, what: string): number {
  const n = topic.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = topic.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x2b || c === 0x23 || c === 0) fail(`${what} "${topic}" must not contain wildcards or U+0000`);
    } else if (c < 0x800) {
      bytes += 1;
    } else if (c <= 0xdbff && c >= 0xd800 && i + 1 < n && (topic.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: two code units, four bytes
      i++;
    } else {
      bytes += 2;
    }
  }
  if (bytes > 0xffff) fail(`${what} is ${bytes} bytes long; an MQTT string holds at most 65535`);
  return 2 + bytes;
}

function binarySize(data: unknown, what: string): number {
  const n =
    data instanceof Uint8Array ? data.length : typeof data === "string" ? utf8Length(data) : fail(`${what} must be bytes or a string`);
  if (n > 0xffff) fail(`${what} is ${n} bytes long; MQTT binary data holds at most 65535`);
  return 2 + n;
}

function uint(value: unknown, max: number, what: string, min = 0): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(`${what} must be an integer from ${min} to ${max}, not ${String(value)}`);
  }
  return value;
}

// The checks come first so that a valid value costs no message string.
function messageId(value: unknown, what: string): number {
  if (typeof value === "number" && value >= 1 && value <= 0xffff && value === Math.floor(value)) return value;
  return uint(value, 0xffff, `${what.toUpperCase()} messageId`, 1);
}

function reasonCode(value: unknown, cmd: string): number {
  if (value === undefined || value === 0) return 0;
  const code = uint(value, 0xff, `${cmd.toUpperCase()} reasonCode`);
  if (!isReasonFor(cmd, code)) fail(`reason code 0x${code.toString(16)} is not valid in ${cmd.toUpperCase()}`);
  return code;
}

function codeList(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || value.length === 0) fail(`${what} needs at least one code`);
  for (const code of value) uint(code, 0xff, what);
  return value as number[];
}

// ---- properties ----

type PropertyBag = Readonly<Record<string, unknown>>;

function hasEntries(props: object | undefined): boolean {
  if (props === undefined || props === null) return false;
  for (const name in props) if ((props as PropertyBag)[name] !== undefined) return true;
  return false;
}

/** Bytes of the properties (without their length prefix); `type` is the packet type, 0 for the will. */
function propertiesSize(props: object | undefined, type: number): number {
  if (props === undefined || props === null) return 0;
  if (typeof props !== "object") fail(`${PACKET_NAMES[type]} properties must be an object`);
  const bag = props as PropertyBag;
  const mask = 1 << type;
  let size = 0;
  for (const name in bag) {
    const value = bag[name];
    if (value === undefined || value === null) continue;
    const spec = PROPERTY_BY_NAME[name];
    if (spec === undefined) fail(`"${name}" is not an MQTT 5 property`);
    if ((spec.packets & mask) === 0) fail(`property ${name} is not allowed in ${PACKET_NAMES[type]}`);
    if (spec.kind === Kind.PAIR) {
      size += userPropertiesSize(value);
    } else if (Array.isArray(value)) {
      if (spec.id !== 0x0b || mask !== In.PUBLISH) fail(`property ${name} may appear only once`);
      for (const item of value) size += 1 + valueSize(spec, item);
    } else {
      size += 1 + valueSize(spec, value);
    }
  }
  if (size > MAX_VARINT) fail(`${PACKET_NAMES[type]} properties are too long`);
  return size;
}

function valueSize(spec: PropertySpec, value: unknown): number {
  const what = `property ${spec.name}`;
  const min = spec.nonZero ? 1 : 0;
  switch (spec.kind) {
    case Kind.FLAG:
      if (typeof value !== "boolean") fail(`${what} must be a boolean`);
      return 1;
    case Kind.BYTE:
      uint(value, 1, what); // maximumQoS: 0 or 1
      return 1;
    case Kind.U16:
      uint(value, 0xffff, what, min);
      return 2;
    case Kind.U32:
      uint(value, 0xffffffff, what, min);
      return 4;
    case Kind.VARINT:
      return varintSize(uint(value, MAX_VARINT, what, min));
    case Kind.STRING:
      return stringSize(value, what);
    default:
      return binarySize(value, what);
  }
}

function userPropertiesSize(pairs: unknown): number {
  if (typeof pairs !== "object" || pairs === null || Array.isArray(pairs)) fail("userProperties must be an object");
  const bag = pairs as PropertyBag;
  let size = 0;
  for (const key in bag) {
    const value = bag[key];
    const keySize = 1 + stringSize(key, "user property name");
    if (Array.isArray(value)) {
      for (const item of value) size += keySize + stringSize(item, `user property "${key}"`);
    } else {
      size += keySize + stringSize(value, `user property "${key}"`);
    }
  }
  return size;
}

function writeProperties(out: Uint8Array, pos: number, props: object | undefined, size: number): number {
  pos = writeVarint(out, pos, size);
  if (size === 0) return pos;
  const bag = props as PropertyBag;
  for (const name in bag) {
    const value = bag[name];
    if (value === undefined || value === null) continue;
    const spec = PROPERTY_BY_NAME[name];
    if (spec.kind === Kind.PAIR) {
      const pairs = value as PropertyBag;
      for (const key in pairs) {
        const item = pairs[key];
        if (Array.isArray(item)) {
          for (const one of item as string[]) pos = writePair(out, pos, key, one);
        } else {
          pos = writePair(out, pos, key, item as string);
        }
      }
    } else if (Array.isArray(value)) {
      for (const item of value) pos = writeValue(out, pos, spec, item);
    } else {
      pos = writeValue(out, pos, spec, value);
    }
  }
  return pos;
}

function writePair(out: Uint8Array, pos: number, key: string, value: string): number {
  out[pos] = 0x26;
  return writeString(out, writeString(out, pos + 1, key), value);
}

function writeValue(out: Uint8Array, pos: number, spec: PropertySpec, value: unknown): number {
  out[pos++] = spec.id;
  switch (spec.kind) {
    case Kind.FLAG:
      out[pos] = value ? 1 : 0;
      return pos + 1;
    case Kind.BYTE:
      out[pos] = value as number;
      return pos + 1;
    case Kind.U16:
      return writeU16(out, pos, value as number);
    case Kind.U32:
      return writeU32(out, pos, value as number);
    case Kind.VARINT:
      return writeVarint(out, pos, value as number);
    case Kind.STRING:
      return writeString(out, pos, value as string);
    default:
      return writeBinary(out, pos, value as Uint8Array | string);
  }
}
