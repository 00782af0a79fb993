// The application: wires the config and a host into a running device. The device table below is
// the one place that lists the devices; a new kind is a device file, an entity file and a line here.
import type { Config } from "./config.js";
import type { Host } from "./host.js";
import { MqttClient } from "./mqtt/client.js";
import { ErrorCode } from "./mqtt/errors.js";
import { createBell } from "./entities/bell.js";
import { createContext } from "./entities/context.js";
import { publishDiscovery } from "./entities/discovery.js";
import type { Entity, EntityFactory } from "./entities/entity.js";
import { createHealth } from "./entities/health.js";
import { createLamp } from "./entities/lamp.js";
import { birth, goodbye, will } from "./entities/presence.js";
import { createSensor } from "./entities/sensor.js";
import { createSettings, restoreSettings } from "./entities/settings.js";

/** Errors that mean a message the device published will not be delivered. */
const UNDELIVERED: readonly string[] = Object.freeze([ErrorCode.PUBLISH_REFUSED, ErrorCode.TOO_LARGE, ErrorCode.NOT_SUPPORTED]);

const DEVICES: readonly EntityFactory[] = Object.freeze([
  createLamp,
  createBell,
  createSensor,
]);

export interface App {
  /** Publishes `offline`, disconnects cleanly and stops every timer; `done` follows. */
  stop(done?: () => void): void;
  readonly client: MqttClient;
}

export default function start(host: Host, initial: Config): App {
  const config = restoreSettings(host.store, initial, host.log);
  let stopping = false;
  const entities: Entity[] = [];

  const client = new MqttClient(host, {
    url: config.broker,
    clientId: config.deviceId,
    protocolVersion: config.protocolVersion as 3 | 4 | 5,
    username: config.mqttUser === "" ? undefined : config.mqttUser,
    password: config.mqttPassword === "" ? undefined : config.mqttPassword,
    keepalive: config.keepalive,
    clean: true,
    will: will(config),
    outboxBytes: config.outboxBytes,
    maxPacketSize: config.maxPacketBytes,
    reconnect: { max: config.reconnectMax },
    onConnect() {
      host.log(`connected to ${config.broker}`);
      birth(client, config);
      for (const entity of entities) entity.connected?.();
      publishDiscovery(client, config, entities.flatMap((entity) => entity.discovery?.() ?? []));
    },
    onDisconnect(error) {
      if (!stopping) host.log(`disconnected: ${error.message}`);
    },
    onError(error) {
      // A message of ours the broker refused (or could not take) is reported on the error topic.
      if (error.topic !== undefined && UNDELIVERED.includes(error.code)) context.refused(error);
      else host.log(`mqtt: ${error.message}`);
    },
    onSkipped(skipped) {
      const reason = `too large: ${skipped.size} bytes; this device takes packets of at most ${config.maxPacketBytes} bytes (maxPacketBytes).`;
      context.refuse(skipped.topic, `(${skipped.size} bytes, not read)`, reason);
    },
  });

  const context = createContext(host, client, config);
  for (const create of DEVICES) entities.push(create(context));
  entities.push(
    createHealth(context, () => {
      const s = client.stats();
      return {
        reconnects: s.reconnects,
        outboxBytes: s.bytes,
        outboxMessages: s.messages,
        drops: s.drops,
        dropsFull: s.dropsFull,
        dropsTooLarge: s.dropsTooLarge,
        dropsRefused: s.dropsRefused,
        dropsInvalid: s.dropsInvalid,
        coalesced: s.coalesced,
        skipped: s.skipped,
      };
    }),
    createSettings(context, (next) => {
      for (const entity of entities) entity.configure?.(next);
    }),
  );
  client.start();

  return {
    client,
    stop(done) {
      if (stopping) return;
      stopping = true;
      for (const entity of entities) entity.stop();
      goodbye(client, config, host.timers, () => client.stop(done));
    },
  };
}
