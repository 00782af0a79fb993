// Builds the context every entity shares: topic names under the prefix and the error reporter.
import type { Config } from "../config.js";
import type { Host } from "../host.js";
import { decodeUtf8 } from "../mqtt/codec/utf8.js";
import type { MqttLink } from "../mqtt/link.js";
import type { EntityContext } from "./entity.js";

/** Characters of a refused input quoted back on the error topic. */
export const ERROR_INPUT_CHARS = 64;

export function createContext(host: Host, link: MqttLink, config: Config): EntityContext {
  const errorTopic = `${config.prefix}/error`;
  return {
    host,
    link,
    config,
    topic: (name) => `${config.prefix}/${name}`,
    refuse(topic, input, reason) {
      const report = JSON.stringify({ topic, input: quote(input), reason });
      host.log(`refused ${topic}: ${reason}`);
      link.publish(errorTopic, report, { qos: 0 });
    },
  };
}

function quote(input: Uint8Array | string): string {
  const text = typeof input === "string" ? input : decodeUtf8(input);
  if (text === undefined) return `(${input.length} bytes, not UTF-8)`;
  return text.length > ERROR_INPUT_CHARS ? `${text.slice(0, ERROR_INPUT_CHARS)}...` : text;
}
