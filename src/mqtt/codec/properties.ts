// The MQTT 5 property table (section 2.2.2.2): identifier, name in mqtt-packet's spelling,
// wire type, and the packets allowed to carry it. Encoder and decoder both read it.

export const Kind = Object.freeze({
  /** One byte, 0 or 1, surfaced as a boolean. */
  FLAG: 0,
  /** One byte, surfaced as a number (maximumQoS). */
  BYTE: 1,
  U16: 2,
  U32: 3,
  VARINT: 4,
  STRING: 5,
  BINARY: 6,
  PAIR: 7,
});

/** Bit per packet type (1 << type); bit 0, unused by any packet, stands for the will properties. */
export const In = Object.freeze({
  WILL: 1 << 0,
  CONNECT: 1 << 1,
  CONNACK: 1 << 2,
  PUBLISH: 1 << 3,
  PUBACK: 1 << 4,
  PUBREC: 1 << 5,
  PUBREL: 1 << 6,
  PUBCOMP: 1 << 7,
  SUBSCRIBE: 1 << 8,
  SUBACK: 1 << 9,
  UNSUBSCRIBE: 1 << 10,
  UNSUBACK: 1 << 11,
  DISCONNECT: 1 << 14,
  AUTH: 1 << 15,
});

export interface PropertySpec {
  readonly id: number;
  readonly name: string;
  readonly kind: number;
  /** Mask of `In` bits. */
  readonly packets: number;
  /** The spec makes 0 a protocol error (receive maximum, topic alias, ...). */
  readonly nonZero: boolean;
}

const MESSAGE = In.PUBLISH | In.WILL;
const ACKS = In.PUBACK | In.PUBREC | In.PUBREL | In.PUBCOMP | In.SUBACK | In.UNSUBACK;
// Every packet that has properties: all but PINGREQ and PINGRESP.
const ALL = 0xffff & ~((1 << 12) | (1 << 13));

function spec(id: number, name: string, kind: number, packets: number, nonZero = false): PropertySpec {
  return Object.freeze({ id, name, kind, packets, nonZero });
}

export const PROPERTIES: readonly PropertySpec[] = Object.freeze([
  spec(0x01, "payloadFormatIndicator", Kind.FLAG, MESSAGE),
  spec(0x02, "messageExpiryInterval", Kind.U32, MESSAGE),
  spec(0x03, "contentType", Kind.STRING, MESSAGE),
  spec(0x08, "responseTopic", Kind.STRING, MESSAGE),
  spec(0x09, "correlationData", Kind.BINARY, MESSAGE),
  spec(0x0b, "subscriptionIdentifier", Kind.VARINT, In.PUBLISH | In.SUBSCRIBE, true),
  spec(0x11, "sessionExpiryInterval", Kind.U32, In.CONNECT | In.CONNACK | In.DISCONNECT),
  spec(0x12, "assignedClientIdentifier", Kind.STRING, In.CONNACK),
  spec(0x13, "serverKeepAlive", Kind.U16, In.CONNACK),
  spec(0x15, "authenticationMethod", Kind.STRING, In.CONNECT | In.CONNACK | In.AUTH),
  spec(0x16, "authenticationData", Kind.BINARY, In.CONNECT | In.CONNACK | In.AUTH),
  spec(0x17, "requestProblemInformation", Kind.FLAG, In.CONNECT),
  spec(0x18, "willDelayInterval", Kind.U32, In.WILL),
  spec(0x19, "requestResponseInformation", Kind.FLAG, In.CONNECT),
  spec(0x1a, "responseInformation", Kind.STRING, In.CONNACK),
  spec(0x1c, "serverReference", Kind.STRING, In.CONNACK | In.DISCONNECT),
  spec(0x1f, "reasonString", Kind.STRING, In.CONNACK | ACKS | In.DISCONNECT | In.AUTH),
  spec(0x21, "receiveMaximum", Kind.U16, In.CONNECT | In.CONNACK, true),
  spec(0x22, "topicAliasMaximum", Kind.U16, In.CONNECT | In.CONNACK),
  spec(0x23, "topicAlias", Kind.U16, In.PUBLISH, true),
  spec(0x24, "maximumQoS", Kind.BYTE, In.CONNACK),
  spec(0x25, "retainAvailable", Kind.FLAG, In.CONNACK),
  spec(0x26, "userProperties", Kind.PAIR, ALL),
  spec(0x27, "maximumPacketSize", Kind.U32, In.CONNECT | In.CONNACK, true),
  spec(0x28, "wildcardSubscriptionAvailable", Kind.FLAG, In.CONNACK),
  spec(0x29, "subscriptionIdentifiersAvailable", Kind.FLAG, In.CONNACK),
  spec(0x2a, "sharedSubscriptionAvailable", Kind.FLAG, In.CONNACK),
]);

function indexById(specs: readonly PropertySpec[]): readonly (PropertySpec | undefined)[] {
  const byId: (PropertySpec | undefined)[] = [];
  for (let id = 0; id <= 0x2a; id++) byId.push(undefined);
  for (const s of specs) byId[s.id] = s;
  return Object.freeze(byId);
}

function indexByName(specs: readonly PropertySpec[]): Readonly<Record<string, PropertySpec>> {
  const byName: Record<string, PropertySpec> = Object.create(null) as Record<string, PropertySpec>;
  for (const s of specs) byName[s.name] = s;
  return Object.freeze(byName);
}

/** Indexed by property identifier (0..0x2a); undefined for unassigned identifiers. */
export const PROPERTY_BY_ID = indexById(PROPERTIES);
export const PROPERTY_BY_NAME = indexByName(PROPERTIES);

/** Names for error sentences, indexed by packet type; 0 names the will. */
export const PACKET_NAMES: readonly string[] = Object.freeze([
  "will",
  "CONNECT",
  "CONNACK",
  "PUBLISH",
  "PUBACK",
  "PUBREC",
  "PUBREL",
  "PUBCOMP",
  "SUBSCRIBE",
  "SUBACK",
  "UNSUBSCRIBE",
  "UNSUBACK",
  "PINGREQ",
  "PINGRESP",
  "DISCONNECT",
  "AUTH",
]);
