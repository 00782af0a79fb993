// A small MqttLink that records publishes and lets a test deliver messages, and a Host on a
// virtual clock with recording pins: enough to test entities without a client or a broker.
import { parseConfig, type Config } from "../../src/config.js";
import type { Host } from "../../src/host.js";
import type { PublishProperties } from "../../src/mqtt/codec/packet.js";
import { decodeUtf8, encodeUtf8 } from "../../src/utf8.js";
import { receiverOf, type Message, type MessageHandler, type MessageReceiver, type MqttError, type MqttLink, type PublishDone, type PublishOptions } from "../../src/mqtt/link.js";
import { createContext } from "../../src/entities/context.js";
import { device, type DeviceKind, type EntityContext } from "../../src/entities/entity.js";
import { MemoryStore } from "../support/memory-store.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { RecordingPins } from "../device/pins.js";

export interface Published {
  topic: string;
  text: string;
  options: PublishOptions;
}

export class FakeLink implements MqttLink {
  connected = true;
  readonly published: Published[] = [];
  readonly handlers = new Map<string, MessageReceiver>();
  /** Acknowledge publishes at once (true) or never (false). */
  acknowledge = true;

  publish(topic: string, payload: string | Uint8Array, options: PublishOptions = {}, done?: PublishDone): MqttError | undefined {
    const text = typeof payload === "string" ? payload : (decodeUtf8(payload) ?? "<binary>");
    this.published.push({ topic, text, options });
    if (this.acknowledge) done?.(undefined);
    return undefined;
  }

  subscribe(filter: string, _qos: 0 | 1 | 2, handler: MessageHandler): MqttError | undefined {
    this.handlers.set(filter, receiverOf(handler));
    return undefined;
  }

  unsubscribe(filters: string | readonly string[]): MqttError | undefined {
    for (const filter of typeof filters === "string" ? [filters] : filters) this.handlers.delete(filter);
    return undefined;
  }

  /** Delivers a message to the handler subscribed to exactly `topic`. */
  deliver(topic: string, payload: string | Uint8Array, extra: { retain?: boolean; properties?: PublishProperties } = {}): void {
    const receiver = this.handlers.get(topic);
    if (!receiver) throw new Error(`nothing subscribed to ${topic}`);
    const message: Message = {
      topic,
      payload: typeof payload === "string" ? encodeUtf8(payload) : payload,
      qos: 1,
      retain: extra.retain ?? false,
      dup: false,
      ...(extra.properties ? { properties: extra.properties } : {}),
    };
    receiver.onMessage(message);
  }

  on(topic: string): Published[] {
    return this.published.filter((p) => p.topic === topic);
  }

  /** JSON payloads of the error reports. */
  errors(): { topic: string; input: string; reason: string }[] {
    return this.on("home/office/error").map((p) => JSON.parse(p.text));
  }
}

export const EPOCH = 1_700_000_000_000;

export function config(raw: Record<string, unknown> = {}): Config {
  const result = parseConfig(raw);
  if (!result.ok) throw new Error(result.errors.join(" "));
  return result.config;
}

export function setup(raw: Record<string, unknown> = {}, store = new MemoryStore()) {
  const clock = new VirtualClock({ now: 0, epoch: EPOCH });
  const pins = new RecordingPins(clock);
  // The analog input of the table's TMP36 ("sensor"), in millivolts: 715 mV is 21.5 °C.
  const sensor = pins.analogNamed("sensor");
  const lamp = pins.recording("lamp");
  const bell = pins.recording("bell");
  const logs: string[] = [];
  const host: Host = {
    clock,
    timers: clock,
    connect: () => {
      throw new Error("entity tests have no network");
    },
    store,
    pins,
    random: () => 0.5,
    log: (line) => logs.push(line),
    freeMemory: () => 123456,
  };
  const link = new FakeLink();
  const context: EntityContext = createContext(host, link, config(raw));
  /** Makes a device of `kind` named `name`, as one line of the device table would. */
  const create = (kind: DeviceKind, name: string, topic?: string) => kind.create(context, device(kind, name, topic));
  return { clock, pins, sensor, lamp, bell, logs, host, link, store, context, create };
}
