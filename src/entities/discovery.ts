// Home Assistant MQTT discovery: one retained config per entity on
// <discoveryPrefix>/<component>/<deviceId>/<objectId>/config, with availability bound to the
// status topic and all entities grouped under one device. With discovery off, the same topics
// get empty retained payloads, which is how Home Assistant is told to forget them.
import type { Config } from "../config.js";
import type { MqttLink } from "../mqtt/link.js";
import type { DiscoveryEntry } from "./entity.js";
import { OFFLINE, ONLINE, statusTopic } from "./presence.js";

export function discoveryTopic(config: Config, entry: DiscoveryEntry): string {
  return `${config.discoveryPrefix}/${entry.component}/${config.deviceId}/${entry.objectId}/config`;
}

export function publishDiscovery(link: MqttLink, config: Config, entries: readonly DiscoveryEntry[]): void {
  const device = { identifiers: [config.deviceId], name: config.deviceId, model: "xs-mqtt-device" };
  for (const entry of entries) {
    const payload = config.discovery
      ? JSON.stringify({
          ...entry.config,
          unique_id: `${config.deviceId}_${entry.objectId}`,
          availability_topic: statusTopic(config),
          payload_available: ONLINE,
          payload_not_available: OFFLINE,
          device,
        })
      : "";
    link.publish(discoveryTopic(config, entry), payload, { qos: 1, retain: true, coalesce: true });
  }
}
