// The CONNECT the session opens each connection with, from the settings and the version it speaks
// (asked for, or 4 after a fallback). On MQTT 5 it carries only the properties that differ from
// the specification's defaults.
import { encodeUtf8 } from "./codec/index.js";
import type { ConnectPacket } from "./codec/index.js";
import type { Settings } from "./options.js";

export function connectPacket(settings: Settings, version: 3 | 4 | 5): ConnectPacket {
  const packet: ConnectPacket = {
    cmd: "connect",
    protocolId: version === 3 ? "MQIsdp" : "MQTT",
    protocolVersion: version,
    clean: settings.clean,
    keepalive: settings.keepalive,
    clientId: settings.clientId,
  };
  if (settings.username !== undefined) packet.username = settings.username;
  if (settings.password !== undefined) packet.password = settings.password;
  const will = settings.will;
  if (will) {
    packet.will = {
      topic: will.topic,
      payload: typeof will.payload === "string" ? encodeUtf8(will.payload) : will.payload,
      qos: will.qos ?? 0,
      retain: will.retain === true,
    };
    if (version === 5 && will.properties) packet.will.properties = will.properties;
  }
  if (version === 5) {
    const properties: NonNullable<ConnectPacket["properties"]> = {};
    if (settings.sessionExpiry !== 0) properties.sessionExpiryInterval = settings.sessionExpiry;
    // Bounds the QoS 2 ids we must remember until PUBREL.
    if (settings.receiveMaximum !== 65_535) properties.receiveMaximum = settings.receiveMaximum;
    properties.maximumPacketSize = settings.maxPacketSize;
    if (!settings.requestProblemInformation) properties.requestProblemInformation = false;
    if (settings.requestResponseInformation) properties.requestResponseInformation = true;
    if (settings.userProperties) properties.userProperties = settings.userProperties;
    packet.properties = properties;
  }
  return packet;
}
