// What an entity is: the MQTT face of one device. It subscribes to its command topic, validates
// every command, publishes its state, and says how Home Assistant should show it. A kind of device
// is a device file and an entity file (or one file) that exports a DeviceKind; a device is one
// line of the table in src/devices.ts.
import type { Config } from "../config.js";
import type { Field } from "../fields.js";
import type { Host } from "../host.js";
import type { MqttError, MqttLink } from "../mqtt/link.js";

/** A kind of device: the settings it takes and how to make one. */
export interface DeviceKind {
  /**
   * Its settings as config fields. A device's key for each is its name, then the setting
   * capitalized: the relay's `pin` is `relayPin` (fields.ts, settingKey).
   */
  readonly settings: Readonly<Record<string, Field>>;
  /** A command the simulator's banner shows for it (`on`), when it takes commands. */
  readonly example?: string;
  create(context: EntityContext, line: DeviceLine): Entity;
}

/** One line of the device table: a kind and a name. */
export interface DeviceLine {
  readonly kind: DeviceKind;
  /** Names its pins and prefixes its config keys; its topic under the prefix, unless `topic` says otherwise. */
  readonly name: string;
  readonly topic?: string;
}

/** A table line, frozen (preloaded, it stays in flash). */
export function device(kind: DeviceKind, name: string, topic?: string): DeviceLine {
  return Object.freeze(topic === undefined ? { kind, name } : { kind, name, topic });
}

export interface Entity {
  /** After every CONNACK: republish state, so the broker's retained copy is current. */
  connected?(): void;
  /** Live settings changed; `config` is already validated. */
  configure?(config: Config): void;
  /** How Home Assistant should show this entity. */
  discovery?(): DiscoveryEntry[];
  /** Stops timers and outputs; the link is being closed. */
  stop(): void;
}

/**
 * One Home Assistant MQTT discovery config, in HA's abbreviated keys (`cmd_t`, `stat_t`, ...), with
 * full topics: discovery.ts writes those under the prefix as `~/...`, and adds availability, the
 * unique id and the device, so a config stays short enough for a small broker's Maximum Packet
 * Size and the ESP8266's 1024-byte packets.
 */
export interface DiscoveryEntry {
  component: "light" | "button" | "sensor" | "switch" | "binary_sensor" | "device_automation";
  objectId: string;
  config: Readonly<Record<string, string | number | boolean>>;
}

export interface EntityContext {
  readonly host: Host;
  readonly link: MqttLink;
  /** The configuration at start; live changes arrive through Entity.configure. */
  readonly config: Config;
  /** `<prefix>/<name>`. */
  topic(name: string): string;
  /** Reports a refused input on `<prefix>/error` (and the log): which topic, what input, and why. */
  refuse(topic: string, input: Uint8Array | string, reason: string): void;
  /**
   * Reports a message the device published that will not be delivered (the broker refused it, or
   * its limits did) on `<prefix>/error`: which topic and why, at most a few a minute; the log has each.
   */
  refused(error: MqttError): void;
}

/** The topic of a device line under the prefix: `<prefix>/<topic or name>`. */
export function topicOf(context: EntityContext, line: DeviceLine): string {
  return context.topic(line.topic ?? line.name);
}
