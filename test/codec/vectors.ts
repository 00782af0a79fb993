// Hand-written byte vectors: one or more per packet type in MQTT 3.1.1 and 5.0, plus the
// examples the specifications give. `packet` is what the decoder yields for `hex`.
import type { Packet, ProtocolVersion } from "../../src/mqtt/codec/index.js";

export interface Vector {
  name: string;
  version: ProtocolVersion;
  packet: Packet;
  hex: string;
}

export function bytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function hexOf(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

const text = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
const base = { retain: false, qos: 0 as const, dup: false, topic: null, payload: null };

function v(name: string, version: ProtocolVersion, hex: string, packet: object): Vector {
  const length = bytes(hex).length;
  const clean = bytes(hex);
  // remaining length = total - 1 - size of the varint
  let i = 1;
  while (clean[i] & 0x80) i++;
  return { name, version, hex, packet: { ...base, length: length - i - 1, ...packet } as unknown as Packet };
}

export const VECTORS: Vector[] = [
  // ---- MQTT 3.1.1 ----
  v("3.1.1 spec 3.1.2.10 CONNECT variable header (keep alive 10, user, password, will qos 1, clean)", 4,
    "10 27 00 04 4d 51 54 54 04 ce 00 0a 00 03 64 65 76 00 05 73 2f 77 69 6c 00 03 62 79 65 00 04 75 73 65 72 00 04 70 61 73 73",
    { cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 10, clientId: "dev",
      will: { retain: false, qos: 1, topic: "s/wil", payload: text("bye") }, username: "user", password: text("pass") }),
  v("3.1.1 CONNECT minimal, empty client id", 4, "10 0c 00 04 4d 51 54 54 04 02 00 3c 00 00",
    { cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 60, clientId: "" }),
  v("3.1 CONNECT MQIsdp, retained will qos 2, no clean", 3,
    "10 1d 00 06 4d 51 49 73 64 70 03 34 00 1e 00 02 69 64 00 05 61 2f 62 2f 63 00 04 64 6f 77 6e",
    { cmd: "connect", protocolId: "MQIsdp", protocolVersion: 3, clean: false, keepalive: 30, clientId: "id",
      will: { retain: true, qos: 2, topic: "a/b/c", payload: text("down") } }),
  v("3.1.1 CONNACK accepted, session present", 4, "20 02 01 00", { cmd: "connack", sessionPresent: true, returnCode: 0 }),
  v("3.1.1 CONNACK bad user name or password", 4, "20 02 00 04", { cmd: "connack", sessionPresent: false, returnCode: 4 }),
  v("3.1.1 spec 3.3.2.3 PUBLISH topic a/b, packet id 10, qos 1", 4, "32 09 00 03 61 2f 62 00 0a 68 69",
    { cmd: "publish", qos: 1, topic: "a/b", messageId: 10, payload: text("hi") }),
  v("3.1.1 PUBLISH qos 0 retained, empty payload", 4, "31 12 00 10 68 6f 6d 65 2f 6f 66 66 69 63 65 2f 6c 61 6d 70",
    { cmd: "publish", retain: true, topic: "home/office/lamp", payload: new Uint8Array(0) }),
  v("3.1.1 PUBLISH qos 2 dup, UTF-8 topic (spec 1.5.3 example A U+2A6D4)", 4, "3c 0b 00 05 41 f0 aa 9b 94 ff fe 01 02",
    { cmd: "publish", qos: 2, dup: true, topic: "A\u{2A6D4}", messageId: 0xfffe, payload: Uint8Array.of(1, 2) }),
  v("3.1.1 PUBACK", 4, "40 02 00 07", { cmd: "puback", messageId: 7 }),
  v("3.1.1 PUBREC", 4, "50 02 01 00", { cmd: "pubrec", messageId: 256 }),
  v("3.1.1 PUBREL (flags 0010)", 4, "62 02 00 01", { cmd: "pubrel", qos: 1, messageId: 1 }),
  v("3.1.1 PUBCOMP", 4, "70 02 ff ff", { cmd: "pubcomp", messageId: 65535 }),
  v("3.1.1 SUBSCRIBE two filters", 4, "82 0e 00 02 00 03 61 2f 23 01 00 03 62 2f 2b 02",
    { cmd: "subscribe", qos: 1, messageId: 2, subscriptions: [{ topic: "a/#", qos: 1 }, { topic: "b/+", qos: 2 }] }),
  v("3.1.1 SUBACK with a failure", 4, "90 05 00 02 01 02 80", { cmd: "suback", messageId: 2, granted: [1, 2, 0x80] }),
  v("3.1.1 UNSUBSCRIBE", 4, "a2 07 00 03 00 03 61 2f 23", { cmd: "unsubscribe", qos: 1, messageId: 3, unsubscriptions: ["a/#"] }),
  v("3.1.1 UNSUBACK", 4, "b0 02 00 03", { cmd: "unsuback", messageId: 3 }),
  v("3.1.1 PINGREQ", 4, "c0 00", { cmd: "pingreq" }),
  v("3.1.1 PINGRESP", 4, "d0 00", { cmd: "pingresp" }),
  v("3.1.1 DISCONNECT", 4, "e0 00", { cmd: "disconnect" }),

  // ---- MQTT 5.0 ----
  v("5.0 spec 3.1.2.11 CONNECT variable header (session expiry 10)", 5,
    "10 12 00 04 4d 51 54 54 05 02 00 0a 05 11 00 00 00 0a 00 00",
    { cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, keepalive: 10, clientId: "",
      properties: { sessionExpiryInterval: 10 } }),
  v("5.0 spec 3.1.2.11 CONNECT variable header with flags CE (will qos 1, user, password)", 5,
    "10 2e 00 04 4d 51 54 54 05 ce 00 0a 05 11 00 00 00 0a 00 03 64 65 76 00 00 05 73 2f 77 69 6c 00 03 62 79 65 00 04 75 73 65 72 00 04 70 61 73 73",
    { cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, keepalive: 10, clientId: "dev",
      properties: { sessionExpiryInterval: 10 }, will: { retain: false, qos: 1, topic: "s/wil", payload: text("bye") },
      username: "user", password: text("pass") }),
  v("5.0 CONNECT with every connect and will property", 5,
    "10 6b 00 04 4d 51 54 54 05 ee 00 3c" +
      " 28 11 00 00 0e 10 21 00 14 27 00 00 10 00 22 00 0a 19 01 17 00 26 00 01 6b 00 01 76 15 00 05 53 43 52 41 4d 16 00 02 01 02" +
      " 00 03 64 65 76" +
      " 1b 18 00 00 00 05 01 01 02 00 00 00 3c 03 00 04 74 65 78 74 08 00 01 72 09 00 01 63" +
      " 00 06 73 74 61 74 75 73 00 07 6f 66 66 6c 69 6e 65" +
      " 00 01 75 00 01 70",
    { cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, keepalive: 60, clientId: "dev",
      properties: { sessionExpiryInterval: 3600, receiveMaximum: 20, maximumPacketSize: 4096, topicAliasMaximum: 10,
        requestResponseInformation: true, requestProblemInformation: false, userProperties: { k: "v" },
        authenticationMethod: "SCRAM", authenticationData: Uint8Array.of(1, 2) },
      will: { retain: true, qos: 1, topic: "status", payload: text("offline"),
        properties: { willDelayInterval: 5, payloadFormatIndicator: true, messageExpiryInterval: 60,
          contentType: "text", responseTopic: "r", correlationData: text("c") } },
      username: "u", password: text("p") }),
  v("5.0 CONNACK with every CONNACK property", 5,
    "20 53 00 00 50 11 00 00 00 3c 21 00 0a 24 01 25 01 27 00 00 04 00 12 00 02 69 64 22 00 05 1f 00 02 6f 6b 26 00 01 61 00 01 62" +
      " 26 00 01 61 00 01 63 28 01 29 00 2a 01 13 00 1e 1a 00 04 69 6e 66 6f 1c 00 05 6f 74 68 65 72 15 00 05 53 43 52 41 4d 16 00 01 09",
    { cmd: "connack", sessionPresent: false, reasonCode: 0,
      properties: { sessionExpiryInterval: 60, receiveMaximum: 10, maximumQoS: 1, retainAvailable: true,
        maximumPacketSize: 1024, assignedClientIdentifier: "id", topicAliasMaximum: 5, reasonString: "ok",
        userProperties: { a: ["b", "c"] }, wildcardSubscriptionAvailable: true, subscriptionIdentifiersAvailable: false,
        sharedSubscriptionAvailable: true, serverKeepAlive: 30, responseInformation: "info", serverReference: "other",
        authenticationMethod: "SCRAM", authenticationData: Uint8Array.of(9) } }),
  v("5.0 CONNACK refused: not authorized", 5, "20 03 00 87 00", { cmd: "connack", sessionPresent: false, reasonCode: 0x87 }),
  v("5.0 spec 3.3.2.3 PUBLISH topic a/b, packet id 10, no properties", 5, "32 0a 00 03 61 2f 62 00 0a 00 68 69",
    { cmd: "publish", qos: 1, topic: "a/b", messageId: 10, payload: text("hi") }),
  v("5.0 PUBLISH with every publish property and two subscription identifiers", 5,
    "30 2c 00 01 74 26 01 01 02 00 00 00 0a 23 00 07 08 00 01 72 09 00 02 01 02 26 00 01 6b 00 01 76 0b 05 0b 80 01 03 00 04 6a 73 6f 6e 7b 7d",
    { cmd: "publish", topic: "t",
      properties: { payloadFormatIndicator: true, messageExpiryInterval: 10, topicAlias: 7, responseTopic: "r",
        correlationData: Uint8Array.of(1, 2), userProperties: { k: "v" }, subscriptionIdentifier: [5, 128], contentType: "json" },
      payload: text("{}") }),
  v("5.0 PUBLISH empty topic with a topic alias", 5, "30 06 00 00 03 23 00 01", {
    cmd: "publish", topic: "", properties: { topicAlias: 1 }, payload: new Uint8Array(0) }),
  v("5.0 PUBACK success, reason code and properties left out", 5, "40 02 00 01", { cmd: "puback", messageId: 1, reasonCode: 0 }),
  v("5.0 PUBACK no matching subscribers", 5, "40 04 00 01 10 00", { cmd: "puback", messageId: 1, reasonCode: 0x10 }),
  v("5.0 PUBREC quota exceeded with reason string", 5, "50 09 00 02 97 05 1f 00 02 6e 6f",
    { cmd: "pubrec", messageId: 2, reasonCode: 0x97, properties: { reasonString: "no" } }),
  v("5.0 PUBREL packet identifier not found", 5, "62 04 00 03 92 00", { cmd: "pubrel", qos: 1, messageId: 3, reasonCode: 0x92 }),
  v("5.0 PUBCOMP success with user property", 5, "70 0b 00 04 00 07 26 00 01 61 00 01 62",
    { cmd: "pubcomp", messageId: 4, reasonCode: 0, properties: { userProperties: { a: "b" } } }),
  v("5.0 SUBSCRIBE with options and a subscription identifier", 5, "82 13 00 05 02 0b 07 00 03 61 2f 23 2d 00 05 24 73 79 73 2f 00",
    { cmd: "subscribe", qos: 1, messageId: 5, properties: { subscriptionIdentifier: 7 },
      subscriptions: [{ topic: "a/#", qos: 1, nl: true, rap: true, rh: 2 }, { topic: "$sys/", qos: 0, nl: false, rap: false, rh: 0 }] }),
  v("5.0 SUBACK granted and refused", 5, "90 07 00 05 00 01 02 a2 87", { cmd: "suback", messageId: 5, granted: [1, 2, 0xa2, 0x87] }),
  v("5.0 UNSUBSCRIBE with user property", 5, "a2 0e 00 06 06 26 00 01 78 00 00 00 03 61 2f 62",
    { cmd: "unsubscribe", qos: 1, messageId: 6, properties: { userProperties: { x: "" } }, unsubscriptions: ["a/b"] }),
  v("5.0 UNSUBACK", 5, "b0 05 00 06 00 00 11", { cmd: "unsuback", messageId: 6, granted: [0, 0x11] }),
  v("5.0 PINGREQ", 5, "c0 00", { cmd: "pingreq" }),
  v("5.0 DISCONNECT normal", 5, "e0 02 00 00", { cmd: "disconnect", reasonCode: 0 }),
  v("5.0 DISCONNECT server moved with properties", 5, "e0 11 9d 0f 11 00 00 00 00 1c 00 02 73 32 1f 00 02 62 79",
    { cmd: "disconnect", reasonCode: 0x9d, properties: { sessionExpiryInterval: 0, serverReference: "s2", reasonString: "by" } }),
  v("5.0 AUTH continue", 5, "f0 0d 18 0b 15 00 05 53 43 52 41 4d 16 00 00",
    { cmd: "auth", reasonCode: 0x18, properties: { authenticationMethod: "SCRAM", authenticationData: new Uint8Array(0) } }),
  v("5.0 AUTH re-authenticate", 5, "f0 02 19 00", { cmd: "auth", reasonCode: 0x19 }),
];

/** Remaining-length boundaries from the spec's table (MQTT 3.1.1 2.2.3, MQTT 5 1.5.5). */
export const REMAINING_LENGTHS: [number, string][] = [
  [0, "00"],
  [127, "7f"],
  [128, "80 01"],
  [16383, "ff 7f"],
  [16384, "80 80 01"],
  [2097151, "ff ff 7f"],
  [2097152, "80 80 80 01"],
  [268435455, "ff ff ff 7f"],
];
