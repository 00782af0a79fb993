// Builds the context every entity shares: topic names under the prefix and the error reporter.
import type { Config } from "../config.js";
import type { Host } from "../host.js";
import { decodeUtf8 } from "../utf8.js";
import type { MqttError, MqttLink } from "../mqtt/link.js";
import type { EntityContext } from "./entity.js";

/** Characters of a refused input quoted back on the error topic. */
export const ERROR_INPUT_CHARS = 64;
/** Refused publishes reported on the error topic per minute at most (every one is logged and counted in health). */
export const PUBLISH_REPORTS_PER_MINUTE = 5;
const MINUTE = 60_000;

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
  #windowStart = -MINUTE;
  #reported = 0;
  #unreported = 0;

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

  refused(error: MqttError): void {
    const topic = error.topic ?? "";
    this.host.log(`not delivered to ${topic}: ${error.message}`);
    // A broker that refuses every reading must not get an error report for each in return.
    const now = this.host.clock.now();
    if (now - this.#windowStart >= MINUTE) {
      this.#windowStart = now;
      this.#reported = 0;
    }
    if (this.#reported >= PUBLISH_REPORTS_PER_MINUTE) {
      this.#unreported++;
      return;
    }
    this.#reported++;
    const report: { topic: string; reason: string; unreported?: number } = { topic, reason: error.message };
    if (this.#unreported > 0) report.unreported = this.#unreported;
    this.#unreported = 0;
    this.link.publish(this.#errorTopic, JSON.stringify(report), { qos: 0 });
  }
}

/** The start of a refused input as text: never more than ERROR_INPUT_CHARS, whatever its size. */
function quote(input: Uint8Array | string): string {
  let text: string | undefined;
  let cut = false;
  if (typeof input === "string") {
    text = input;
  } else {
    // Decode only what can be shown: ERROR_INPUT_CHARS characters take at most 4 bytes each.
    let end = input.length;
    if (end > ERROR_INPUT_CHARS * 4) {
      end = ERROR_INPUT_CHARS * 4;
      while (end > 0 && (input[end] & 0xc0) === 0x80) end--; // not inside a character
      cut = true;
    }
    text = decodeUtf8(input, 0, end);
    if (text === undefined) return `(${input.length} bytes, not UTF-8)`;
  }
  if (text.length > ERROR_INPUT_CHARS) {
    const last = text.charCodeAt(ERROR_INPUT_CHARS - 1);
    // Keep a surrogate pair whole.
    text = text.slice(0, last >= 0xd800 && last <= 0xdbff ? ERROR_INPUT_CHARS + 1 : ERROR_INPUT_CHARS);
    cut = true;
  }
  return cut ? `${text}...` : text;
}
