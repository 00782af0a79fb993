// Live configuration on <prefix>/config: a JSON object of live keys (see LIVE_KEYS in config.ts),
// validated as a whole, then applied, persisted in the store and echoed, retained, on
// <prefix>/config/state. Anything invalid is refused whole with the reasons on the error topic.
import { applyLive, liveSettings, type Config } from "../config.js";
import { decodeUtf8, encodeUtf8 } from "../mqtt/codec/utf8.js";
import type { Store } from "../host.js";
import type { Entity, EntityContext } from "./entity.js";
import { readCommand } from "./command.js";

export const SETTINGS_KEY = "app.config";
const MAX_SETTINGS_BYTES = 512;

/** The config with the persisted live settings applied; a stored value that no longer validates is ignored. */
export function restoreSettings(store: Store, config: Config, log: (line: string) => void): Config {
  const bytes = store.read(SETTINGS_KEY);
  if (!bytes) return config;
  let stored: unknown;
  try {
    stored = JSON.parse(decodeUtf8(bytes) ?? "");
  } catch {
    stored = undefined;
  }
  const result = applyLive(config, stored);
  if (result.ok) return result.config;
  log(`stored settings ignored: ${result.errors.join(" ")}`);
  return config;
}

/** `apply` hands a validated config to every entity. */
export function createSettings(context: EntityContext, apply: (config: Config) => void): Entity {
  const { host, link } = context;
  const commandTopic = context.topic("config");
  const stateTopic = context.topic("config/state");
  let current = context.config;

  const echo = (): void => {
    link.publish(stateTopic, JSON.stringify(liveSettings(current)), { qos: 1, retain: true, coalesce: true });
  };

  link.subscribe(commandTopic, 1, (message) => {
    const command = readCommand(message, context, MAX_SETTINGS_BYTES);
    if (!command) return;
    if (!command.json) {
      context.refuse(commandTopic, message.payload, "config must be a JSON object of settings.");
      return;
    }
    const { ts: _ts, ...change } = command.json;
    const result = applyLive(current, change);
    if (!result.ok) {
      context.refuse(commandTopic, message.payload, result.errors.join(" "));
      return;
    }
    current = result.config;
    if (!host.store.write(SETTINGS_KEY, encodeUtf8(JSON.stringify(liveSettings(current)))))
      host.log("could not store the settings; they will not survive a reboot");
    apply(current);
    echo();
  });

  return {
    connected: echo,
    stop() {
      link.unsubscribe(commandTopic);
    },
  };
}
