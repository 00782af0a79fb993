// Home Assistant MQTT discovery: one retained config per entity on
// <discoveryPrefix>/<component>/<deviceId>/<objectId>/config, in HA's abbreviated keys, with `~`
// standing for the prefix in every topic, availability bound to the status topic (HA's default
// payloads, online and offline, are ours) and all entities grouped under one device, named by its
// id. With discovery off, the same topics
// get empty retained payloads, which is how Home Assistant is told to forget them. A config the
// broker cannot take (over its Maximum Packet Size) is reported, never dropped silently.
import type { Config } from "../config.js";
import type { MqttError, MqttLink } from "../mqtt/link.js";
import type { DiscoveryEntry } from "./entity.js";

export function discoveryTopic(config: Config, entry: DiscoveryEntry): string {
  return `${config.discoveryPrefix}/${entry.component}/${config.deviceId}/${entry.objectId}/config`;
}

/** The retained config for `entry`, as JSON (empty with discovery off). */
export function discoveryPayload(config: Config, entry: DiscoveryEntry): string {
  if (!config.discovery) return "";
  const base = `${config.prefix}/`;
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(entry.config))
    // Topics are the keys HA abbreviates to `_t` (and a trigger's `t`).
    fields[key] = typeof value === "string" && (key === "t" || key.endsWith("_t")) && value.startsWith(base) ? `~/${value.slice(base.length)}` : value;
  // A device trigger has neither a unique id nor availability in HA's schema.
  const entity = entry.component === "device_automation" ? {} : { uniq_id: `${config.deviceId}_${entry.objectId}`, avty_t: "~/status" };
  return JSON.stringify({ "~": config.prefix, ...fields, ...entity, dev: { ids: config.deviceId, name: config.deviceId } });
}

export function publishDiscovery(link: MqttLink, config: Config, entries: readonly DiscoveryEntry[], report: (error: MqttError) => void): void {
  for (const entry of entries) {
    const error = link.publish(discoveryTopic(config, entry), discoveryPayload(config, entry), { qos: 1, retain: true, coalesce: true });
    if (error) report(error);
  }
}
