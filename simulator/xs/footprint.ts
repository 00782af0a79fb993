// XS side of the footprint breakdown (measure.ts, bench:xs): builds the app's parts one at a time
// (each line of the device table is one) on a host that never connects, so the Node side can
// measure the live heap between steps.
import start from "../../src/app.js";
import { parseConfig } from "../../src/config.js";
import { DEVICES } from "../../src/devices.js";
import type { Host } from "../../src/host.js";
import { createContext } from "../../src/entities/context.js";
import type { EntityContext } from "../../src/entities/entity.js";
import { createHealth } from "../../src/entities/health.js";
import { createSettings } from "../../src/entities/settings.js";
import { MqttClient } from "../../src/mqtt/client.js";
import { Outbox } from "../../src/mqtt/outbox.js";
import { serve } from "./channel.js";

const kept: unknown[] = [];
let host: Host | undefined;
let client: MqttClient | undefined;
let context: EntityContext | undefined;

function quietHost(): Host {
  let time = 0;
  return {
    clock: { now: () => (time += 1), epoch: () => undefined },
    timers: { set: () => 0, clear: () => undefined },
    connect: () => ({ read: () => undefined, write: () => true, close: () => undefined }),
    store: { read: () => undefined, write: () => true, delete: () => undefined, keys: () => [] },
    pins: {
      output: () => ({ write: () => undefined }),
      input: () => ({ read: () => 0 }),
      analog: () => ({ read: () => 710 }),
    },
    random: () => 0.5,
    log: () => undefined,
  };
}

function config(): ReturnType<typeof parseConfig> {
  return parseConfig({ broker: "mqtt://127.0.0.1:1883", deviceId: "xs-footprint", outboxBytes: 4096 });
}

function entityContext(): EntityContext {
  if (!context) throw new Error("no context yet");
  return context;
}

const steps: Readonly<Record<string, () => void>> = Object.freeze({
  host: () => void (host = quietHost()),
  outbox: () => void kept.push(new Outbox({ budget: 4096 })),
  client: () => {
    client = new MqttClient(host ?? quietHost(), { url: "mqtt://127.0.0.1:1883", clientId: "xs-footprint", outboxBytes: 4096 });
    client.start();
  },
  context: () => {
    const parsed = config();
    if (!parsed.ok || !client || !host) throw new Error("context needs the host and the client");
    context = createContext(host, client, parsed.config);
  },
  health: () => void kept.push(createHealth(entityContext(), () => ({ ...NO_STATS }))),
  settings: () => void kept.push(createSettings(entityContext(), () => undefined)),
  app: () => {
    const parsed = config();
    if (!parsed.ok) throw new Error(parsed.errors.join(" "));
    kept.push(start(host ?? quietHost(), parsed.config));
  },
});

const NO_STATS = Object.freeze({ broker: "mqtt://127.0.0.1:1883", reconnects: 0, outboxBytes: 0, outboxMessages: 0, drops: 0, dropsFull: 0, dropsTooLarge: 0, dropsRefused: 0, dropsInvalid: 0, coalesced: 0, skipped: 0 });

serve((request) => {
  const name = new TextDecoder().decode(request);
  const line = DEVICES.find((device) => device.name === name);
  const step = line ? () => void kept.push(line.kind.create(entityContext(), line)) : steps[name];
  if (!step) throw new Error(`no step ${name}`);
  step();
  return undefined;
});
