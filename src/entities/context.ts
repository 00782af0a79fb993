// Builds the context every entity shares: topic names under the prefix and the error reporter.
import type { Config } from "../config.js";
import type { Host } from "../host.js";
import { decodeUtf8 } from "../mqtt/codec/utf8.js";
import type { MqttLink } from "../mqtt/link.js";
import type { EntityContext } from "./entity.js";

/** Characters of a refused input quoted back on the error topic. */
export const ERROR_INPUT_CHARS = 64;

export function createContext(host: Host, link: MqttLink, config: Config): EntityContext {
  return new Context(host, link, config);
}

// A class, not an object of closures: on XS its methods live once in the prototype (in flash when
// preloaded) and an instance is a few slots.
class Context implements EntityContext {
  readonly host: Host;
  readonly link: MqttLink;
  readonly config: Config;
  readonly #errorTopic: string;

  constructor(host: Host, link: MqttLink, config: Config) {
    this.host = host;
    this.link = link;
    this.config = config;
    this.#errorTopic = `${config.prefix}/error`;
  }

  topic(name: string): string {
    return `${this.config.prefix}/${name}`;
  }

  refuse(topic: string, input: Uint8Array | string, reason: string): void {
    const report = JSON.stringify({ topic, input: quote(input), reason });
    this.host.log(`refused ${topic}: ${reason}`);
    this.link.publish(this.#errorTopic, report, { qos: 0 });
  }
}

function quote(input: Uint8Array | string): string {
  const text = typeof input === "string" ? input : decodeUtf8(input);
  if (text === undefined) return `(${input.length} bytes, not UTF-8)`;
  return text.length > ERROR_INPUT_CHARS ? `${text.slice(0, ERROR_INPUT_CHARS)}...` : text;
}
