// Live configuration on <prefix>/config: a JSON object of live keys (see LIVE_KEYS in config.ts),
// validated as a whole, then applied, persisted in the store and echoed, retained, on
// <prefix>/config/state. Anything invalid is refused whole with the reasons on the error topic.
import { applyLive, liveSettings, RENAMED, type Config } from "../config.js";
import { decodeUtf8, encodeUtf8 } from "../utf8.js";
import type { Store } from "../host.js";
import type { Message, MessageReceiver } from "../mqtt/link.js";
import type { Entity, EntityContext } from "./entity.js";
import { readCommand } from "./command.js";

export const SETTINGS_KEY = "app.config";
const MAX_SETTINGS_BYTES = 512;
const SHOWN_ERRORS = 3;

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
  const result = applyLive(config, renameKeys(stored));
  if (result.ok) return result.config;
  log(`stored settings ignored: ${result.errors.join(" ")}`);
  return config;
}

/** Stored settings with renamed keys under their new names (a firmware update keeps them). */
function renameKeys(stored: unknown): unknown {
  if (typeof stored !== "object" || stored === null || Array.isArray(stored)) return stored;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) out[Object.prototype.hasOwnProperty.call(RENAMED, key) ? RENAMED[key] : key] = value;
  return out;
}

/** `apply` hands a validated config to every entity. */
export function createSettings(context: EntityContext, apply: (config: Config) => void): Entity {
  return new Settings(context, apply);
}

class Settings implements Entity, MessageReceiver {
  readonly #context: EntityContext;
  readonly #apply: (config: Config) => void;
  readonly #commandTopic: string;
  readonly #stateTopic: string;
  #current: Config;

  constructor(context: EntityContext, apply: (config: Config) => void) {
    this.#context = context;
    this.#apply = apply;
    this.#commandTopic = context.topic("config");
    this.#stateTopic = context.topic("config/state");
    this.#current = context.config;
    context.link.subscribe(this.#commandTopic, 1, this);
  }

  onMessage(message: Message): void {
    const context = this.#context;
    const command = readCommand(message, context, MAX_SETTINGS_BYTES);
    if (!command) return;
    if (!command.json) {
      context.refuse(this.#commandTopic, message.payload, "config must be a JSON object of settings.");
      return;
    }
    const { ts: _ts, ...change } = command.json;
    const allowed = context.config.configTopic;
    if (allowed !== "true") {
      const named = allowed.split(",");
      const barred = Object.keys(change).filter((key) => !named.includes(key));
      if (barred.length > 0) {
        context.refuse(this.#commandTopic, message.payload, `${barred.join(", ")} may not be changed over MQTT here (configTopic allows ${named.join(", ")}).`);
        return;
      }
    }
    const result = applyLive(this.#current, change);
    if (!result.ok) {
      context.refuse(this.#commandTopic, message.payload, summary(result.errors));
      return;
    }
    this.#current = result.config;
    if (!context.host.store.write(SETTINGS_KEY, encodeUtf8(JSON.stringify(liveSettings(this.#current)))))
      context.host.log("could not store the settings; they will not survive a reboot");
    this.#apply(this.#current);
    this.connected();
  }

  /** Echoes the live settings, retained. */
  connected(): void {
    const echo = JSON.stringify(liveSettings(this.#current));
    this.#context.link.publish(this.#stateTopic, echo, { qos: 1, retain: true, coalesce: true });
  }

  stop(): void {
    this.#context.link.unsubscribe(this.#commandTopic);
  }
}

/** The first few reasons: a change of many bad keys must not make an error report of kilobytes. */
function summary(errors: readonly string[]): string {
  const shown = errors.slice(0, SHOWN_ERRORS).join(" ");
  return errors.length > SHOWN_ERRORS ? `${shown} (and ${errors.length - SHOWN_ERRORS} more)` : shown;
}
