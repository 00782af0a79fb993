// A seeded generator of valid MQTT packets (3.1.1 and 5.0) for comparing the codec on XS and on
// Node. Pure ECMAScript, so the same module runs in both engines and yields the same packets.
import type { Packet, ProtocolVersion, QoS, UserProperties } from "../../src/mqtt/codec/packet.js";
import { seeded } from "../../hosts/node/seeded.js";


export interface Generated {
  packet: Packet;
  version: ProtocolVersion;
}

export function generatePackets(seed: number, count: number): Generated[] {
  const random = seeded(seed);
  const int = (below: number): number => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const chance = (): boolean => random() < 0.5;
  const text = (max: number): string => {
    const alphabet = ["a", "b", "z", "0", "/", "-", "é", "€", "ß", "😀"];
    let out = "";
    for (let i = int(max + 1); i > 0; i--) out += pick(alphabet);
    return out;
  };
  const topic = (): string => `home/${text(6)}x`.replace(/\/\//g, "/a/");
  const bytes = (max: number): Uint8Array => Uint8Array.from({ length: int(max + 1) }, () => int(256));
  const qos = (): QoS => pick([0, 1, 2] as const);
  const id = (): number => 1 + int(65535);
  const users = (): UserProperties | undefined => (chance() ? undefined : { [text(4) || "k"]: text(5) });

  const packet = (version: ProtocolVersion): Packet => {
    const v5 = version === 5;
    switch (int(10)) {
      case 0:
        return {
          cmd: "connect",
          protocolId: "MQTT",
          protocolVersion: version,
          clean: chance(),
          keepalive: int(65536),
          clientId: `c${text(12)}`,
          ...(chance() ? { username: text(8), password: chance() ? bytes(8) : undefined } : {}),
          will: chance() ? { topic: topic(), payload: bytes(16), qos: qos(), retain: chance() } : undefined,
          properties: v5 ? { sessionExpiryInterval: int(1e6), receiveMaximum: 1 + int(100), userProperties: users() } : undefined,
        };
      case 1:
        return v5
          ? { cmd: "connack", sessionPresent: chance(), reasonCode: pick([0, 0x80, 0x87]), properties: { maximumQoS: int(2), topicAliasMaximum: int(10) } }
          : { cmd: "connack", sessionPresent: chance(), returnCode: int(6) };
      case 2:
      case 3: {
        const level = qos();
        return {
          cmd: "publish",
          qos: level,
          dup: level > 0 && chance(),
          retain: chance(),
          topic: topic(),
          payload: bytes(40),
          messageId: level > 0 ? id() : undefined,
          properties: v5 && chance() ? { messageExpiryInterval: int(3600), contentType: text(6), correlationData: bytes(4), userProperties: users() } : undefined,
        };
      }
      case 4:
        return v5
          ? { cmd: pick(["puback", "pubrec"] as const), messageId: id(), reasonCode: 0x10 * int(2), properties: chance() ? { reasonString: text(8) } : undefined }
          : { cmd: pick(["puback", "pubrec", "pubrel", "pubcomp"] as const), messageId: id() };
      case 5:
        return {
          cmd: "subscribe",
          messageId: id(),
          subscriptions: Array.from({ length: 1 + int(3) }, () =>
            v5 ? { topic: topic(), qos: qos(), nl: chance(), rap: chance(), rh: int(3) } : { topic: topic(), qos: qos() },
          ),
          properties: v5 && chance() ? { subscriptionIdentifier: 1 + int(1000) } : undefined,
        };
      case 6:
        return { cmd: "suback", messageId: id(), granted: Array.from({ length: 1 + int(3) }, () => pick([0, 1, 2, 0x80])) };
      case 7:
        return { cmd: "unsubscribe", messageId: id(), unsubscriptions: Array.from({ length: 1 + int(3) }, topic) };
      case 8:
        return { cmd: pick(["pingreq", "pingresp"] as const) };
      default:
        return v5 ? { cmd: "disconnect", reasonCode: pick([0, 4, 0x8e]), properties: chance() ? { reasonString: text(10) } : undefined } : { cmd: "disconnect" };
    }
  };

  return Array.from({ length: count }, () => {
    const version: ProtocolVersion = chance() ? 5 : 4;
    return { packet: packet(version), version };
  });
}
