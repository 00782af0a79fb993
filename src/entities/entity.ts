// What an entity is: the MQTT face of one device. It subscribes to its command topic, validates
// every command, publishes its state, and says how Home Assistant should show it. The app keeps
// a table of entity factories; a new kind of device is a device file, an entity file and a line there.
import type { Config } from "../config.js";
import type { Host } from "../host.js";
import type { MqttError, MqttLink } from "../mqtt/link.js";

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

/** One Home Assistant MQTT discovery config; availability and device are added by discovery.ts. */
export interface DiscoveryEntry {
  component: "light" | "button" | "sensor" | "switch" | "binary_sensor";
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

export type EntityFactory = (context: EntityContext) => Entity;
