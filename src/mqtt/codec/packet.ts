// Packet objects in the shape of the npm package `mqtt-packet` (same `cmd`, field names and
// defaults), with Uint8Array where it has Node's byte type. Binary fields accept a string when encoding.
// Like mqtt-packet's parser, the Decoder also sets `topic` and `payload` to null on packets
// other than PUBLISH; those two fields are left out of the types below.

export type QoS = 0 | 1 | 2;
export type ProtocolVersion = 3 | 4 | 5;
export type Bytes = Uint8Array;
export type UserProperties = { [name: string]: string | string[] };

interface Base {
  /** Remaining length; set by the decoder, ignored by the encoder. */
  length?: number;
  retain?: boolean;
  qos?: QoS;
  dup?: boolean;
}

export interface WillProperties {
  willDelayInterval?: number;
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Bytes;
  userProperties?: UserProperties;
}

export interface ConnectPacket extends Base {
  cmd: "connect";
  protocolId?: "MQTT" | "MQIsdp";
  protocolVersion?: ProtocolVersion;
  /** Mosquitto's bridge flag: the protocol level byte with 0x80 set. */
  bridgeMode?: boolean;
  clean?: boolean;
  keepalive?: number;
  clientId: string;
  username?: string;
  password?: Bytes | string;
  will?: {
    topic: string;
    payload: Bytes | string;
    qos?: QoS;
    retain?: boolean;
    properties?: WillProperties;
  };
  properties?: {
    sessionExpiryInterval?: number;
    receiveMaximum?: number;
    maximumPacketSize?: number;
    topicAliasMaximum?: number;
    requestResponseInformation?: boolean;
    requestProblemInformation?: boolean;
    userProperties?: UserProperties;
    authenticationMethod?: string;
    authenticationData?: Bytes;
  };
}

export interface ConnackPacket extends Base {
  cmd: "connack";
  sessionPresent: boolean;
  /** MQTT 3.1.1 */
  returnCode?: number;
  /** MQTT 5 */
  reasonCode?: number;
  properties?: {
    sessionExpiryInterval?: number;
    receiveMaximum?: number;
    maximumQoS?: number;
    retainAvailable?: boolean;
    maximumPacketSize?: number;
    assignedClientIdentifier?: string;
    topicAliasMaximum?: number;
    reasonString?: string;
    userProperties?: UserProperties;
    wildcardSubscriptionAvailable?: boolean;
    subscriptionIdentifiersAvailable?: boolean;
    sharedSubscriptionAvailable?: boolean;
    serverKeepAlive?: number;
    responseInformation?: string;
    serverReference?: string;
    authenticationMethod?: string;
    authenticationData?: Bytes;
  };
}

export interface PublishProperties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  topicAlias?: number;
  responseTopic?: string;
  correlationData?: Bytes;
  userProperties?: UserProperties;
  subscriptionIdentifier?: number | number[];
  contentType?: string;
}

export interface PublishPacket extends Base {
  cmd: "publish";
  qos: QoS;
  dup: boolean;
  retain: boolean;
  topic: string;
  payload: Bytes | string;
  messageId?: number;
  properties?: PublishProperties;
}

export interface ReasonProperties {
  reasonString?: string;
  userProperties?: UserProperties;
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP. */
export interface AckPacket extends Base {
  cmd: "puback" | "pubrec" | "pubrel" | "pubcomp";
  messageId: number;
  reasonCode?: number;
  properties?: ReasonProperties;
}

export interface Subscription {
  topic: string;
  qos: QoS;
  /** MQTT 5 no local */
  nl?: boolean;
  /** MQTT 5 retain as published */
  rap?: boolean;
  /** MQTT 5 retain handling (0, 1, 2) */
  rh?: number;
}

export interface SubscribePacket extends Base {
  cmd: "subscribe";
  messageId: number;
  subscriptions: Subscription[];
  properties?: {
    subscriptionIdentifier?: number;
    userProperties?: UserProperties;
  };
}

export interface SubackPacket extends Base {
  cmd: "suback";
  messageId: number;
  /** Granted QoS or reason code, one per subscription (0x80 = failure in 3.1.1). */
  granted: number[];
  properties?: ReasonProperties;
}

export interface UnsubscribePacket extends Base {
  cmd: "unsubscribe";
  messageId: number;
  unsubscriptions: string[];
  properties?: { userProperties?: UserProperties };
}

export interface UnsubackPacket extends Base {
  cmd: "unsuback";
  messageId: number;
  /** MQTT 5: one reason code per filter. */
  granted?: number[];
  properties?: ReasonProperties;
}

export interface PingreqPacket extends Base {
  cmd: "pingreq";
}

export interface PingrespPacket extends Base {
  cmd: "pingresp";
}

export interface DisconnectPacket extends Base {
  cmd: "disconnect";
  reasonCode?: number;
  properties?: {
    sessionExpiryInterval?: number;
    reasonString?: string;
    userProperties?: UserProperties;
    serverReference?: string;
  };
}

export interface AuthPacket extends Base {
  cmd: "auth";
  reasonCode?: number;
  properties?: {
    authenticationMethod?: string;
    authenticationData?: Bytes;
    reasonString?: string;
    userProperties?: UserProperties;
  };
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | AckPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;

/** A PUBLISH to encode: like mqtt-packet, the topic may be given as UTF-8 bytes. */
export type PublishInput = Omit<PublishPacket, "topic"> & { topic: string | Bytes };

/** A CONNECT to encode: like mqtt-packet, protocol name, client id and user name may be UTF-8 bytes. */
export type ConnectInput = Omit<ConnectPacket, "protocolId" | "clientId" | "username"> & {
  protocolId?: "MQTT" | "MQIsdp" | Bytes;
  clientId: string | Bytes;
  username?: string | Bytes;
};

/** What encode() takes: any Packet, and the byte forms mqtt-packet also accepts (the Decoder gives strings). */
export type PacketInput = Packet | PublishInput | ConnectInput;

/** Malformed or unacceptable input, as a value: an MQTT 5 reason code and a sentence. */
export interface ProtocolError {
  reasonCode: number;
  message: string;
}
