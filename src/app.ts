// The application: wires the config and a host into a running device: the MQTT client, presence,
// health, live settings, and one entity per line of the device table (src/devices.ts).
import type { Config } from "./config.js";
import { DEVICES } from "./devices.js";
import type { Host, TlsOptions } from "./host.js";
import { MqttClient } from "./mqtt/client.js";
import { ErrorCode } from "./mqtt/errors.js";
import { createContext } from "./entities/context.js";
import { publishDiscovery } from "./entities/discovery.js";
import type { Entity } from "./entities/entity.js";
import { createHealth } from "./entities/health.js";
import { birth, goodbye, will } from "./entities/presence.js";
import { createSettings, restoreSettings } from "./entities/settings.js";

/** Errors that mean a message the device published will not be delivered. */
const UNDELIVERED: readonly string[] = Object.freeze([ErrorCode.PUBLISH_REFUSED, ErrorCode.TOO_LARGE, ErrorCode.NOT_SUPPORTED]);

export interface App {
  /** Publishes `offline`, disconnects cleanly and stops every timer; `done` follows. */
  stop(done?: () => void): void;
  readonly client: MqttClient;
}

/** TLS from the `tls*` keys; used only for mqtts:// and wss:// brokers. */
function tlsOf(config: Config): TlsOptions {
  const tls: TlsOptions = { minVersion: config.tlsMinVersion === "1.3" ? "1.3" : "1.2" };
  if (config.tlsCa !== "") tls.ca = config.tlsCa;
  if (config.tlsCert !== "") tls.cert = config.tlsCert;
  if (config.tlsKey !== "") tls.key = config.tlsKey;
  if (config.tlsAlpn !== "") tls.alpn = config.tlsAlpn.split(",");
  return tls;
}

export default function start(host: Host, initial: Config): App {
  const config = restoreSettings(host.store, initial, host.log);
  let stopping = false;
  const entities: Entity[] = [];

  const client = new MqttClient(host, {
    url: config.broker,
    brokerOrder: config.brokerOrder === "random" ? "random" : "listed",
    clientId: config.deviceId,
    protocolVersion: config.protocolVersion as 3 | 4 | 5,
    username: config.mqttUser === "" ? undefined : config.mqttUser,
    password: config.mqttPassword === "" ? undefined : config.mqttPassword,
    tls: tlsOf(config),
    keepalive: config.keepalive,
    clean: true,
    will: will(config),
    outboxBytes: config.outboxBytes,
    maxPacketSize: config.maxPacketBytes,
    reconnect: { max: config.reconnectMax },
    onConnect() {
      host.log(`connected to ${client.broker}`);
      birth(client, config, host.timers);
      for (const entity of entities) entity.connected?.();
      publishDiscovery(client, config, entities.flatMap((entity) => entity.discovery?.() ?? []), (error) => context.refused(error));
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
  for (const line of DEVICES) entities.push(line.kind.create(context, line));
  entities.push(
    createHealth(context, () => {
      const s = client.stats();
      return {
        broker: s.broker,
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
  );
  // configTopic=false: nobody changes settings over MQTT; the device does not even subscribe.
  if (config.configTopic !== "false") {
    entities.push(
      createSettings(context, (next) => {
        for (const entity of entities) entity.configure?.(next);
      }),
    );
  }
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
