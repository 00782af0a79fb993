// The client's options as a caller gives them, and the same with every default resolved, once.
import type { SkippedPublish, QoS, UserProperties, WillProperties } from "./codec/index.js";
import type { Message, MqttError } from "./link.js";
import { utf8Length } from "../utf8.js";
import type { TlsOptions } from "../host.js";

export interface ClientOptions {
  /**
   * mqtt://host:port or mqtts://host:port; ws://host:port/path or wss://... for MQTT over WebSocket.
   * Several, comma-separated, are the nodes of one cluster (or stand-ins for each other): the client
   * stays on a node while it works and moves to another when a connect fails or the link is lost.
   */
  url: string;
  /** With several brokers: "listed" (the default) tries them in the order given, "random" picks another at random. */
  brokerOrder?: "listed" | "random";
  clientId: string;
  /** 5 (the default; falls back to 4, 3.1.1, for a broker that refuses it), 4, or 3 (MQTT 3.1, "MQIsdp"). */
  protocolVersion?: 3 | 4 | 5;
  username?: string;
  password?: string | Uint8Array;
  /** Seconds; 0 turns keepalive off. Default 60. */
  keepalive?: number;
  /** Clean start (true, the default) or resume a persistent session. */
  clean?: boolean;
  /** MQTT 5 session expiry in seconds; default 0 when clean, else "never". */
  sessionExpiry?: number;
  /** MQTT 5: may the broker put reason strings and user properties in its refusals? Default true. */
  requestProblemInformation?: boolean;
  /** MQTT 5: ask the broker for response information in CONNACK. Default false. */
  requestResponseInformation?: boolean;
  /** MQTT 5: user properties of the CONNECT. */
  userProperties?: UserProperties;
  will?: { topic: string; payload: string | Uint8Array; qos?: QoS; retain?: boolean; properties?: WillProperties };
  /** Outbox budget in bytes (packets + 12 bytes each). Default 16 KiB. */
  outboxBytes?: number;
  /** Reconnect delays in ms: min 500, max 60 000; the attempt count resets after stableAfter (30 000). */
  reconnect?: { min?: number; max?: number; stableAfter?: number };
  /** ms for the transport to open and the CONNACK to arrive. Default 10 000. */
  connectTimeout?: number;
  /** ms to wait for a PINGRESP. Default half the keepalive. */
  pingTimeout?: number;
  /** Our own cap on QoS 1/2 publishes awaiting acknowledgement. Default: 20 on 3.1.1, else the broker's receive maximum. */
  maxInflight?: number;
  /**
   * Largest packet we accept from the broker (announced in MQTT 5). Default 65 536. On 3.1.1, where
   * it cannot be announced, a larger PUBLISH is skipped unread, acknowledged, and given to onSkipped.
   */
  maxPacketSize?: number;
  /**
   * QoS 2 messages the broker may have awaiting release at once (announced in MQTT 5, enforced on
   * every version: one more closes the link, with DISCONNECT 0x93 in MQTT 5). Default 64.
   */
  receiveMaximum?: number;
  /** Store key prefix for the persisted outbox (<= 8 characters). Default "ob". */
  persistPrefix?: string;
  /** Persist QoS 1/2 outbox entries through the store. Default true. */
  persist?: boolean;
  /** Bytes gathered into one transport write while handling one event. Default 4096. */
  writeChunk?: number;
  /**
   * Bytes per slab that received payloads are carved from. 0 (the default) allocates each payload
   * exactly: a slab saves V8 an allocation per message but keeps its whole size alive, which a
   * board's heap cannot spare.
   */
  receivePool?: number;
  /** TLS for mqtts:// and wss:// (the CA, a client certificate, ALPN, the oldest version). */
  tls?: TlsOptions;
  /**
   * The broker accepted us; called once the bytes that carried CONNACK have been handled. What it
   * publishes (birth, fresh state) leaves before the messages queued while offline, which follow
   * in their order; a message never overtakes a queued one of its own topic.
   */
  onConnect?(info: { sessionPresent: boolean; protocolVersion: 3 | 4 | 5 }): void;
  /** A connected link went down (the client reconnects by itself unless stopped). */
  onDisconnect?(error: MqttError): void;
  /** Anything else worth a person's attention: refusals, failed connects, SUBACK failures. */
  onError?(error: MqttError): void;
  /** Every message received, after the subscription handlers. */
  onMessage?(message: Message): void;
  /** A message over maxPacketSize was skipped unread (3.1.1); without this callback, onError hears of it. */
  onSkipped?(message: SkippedPublish): void;
}

/** Every default, in one place. */
const DEFAULTS = Object.freeze({
  protocolVersion: 5 as 3 | 4 | 5,
  keepalive: 60,
  outboxBytes: 16_384,
  reconnectMin: 500,
  reconnectMax: 60_000,
  stableAfter: 30_000,
  connectTimeout: 10_000,
  maxPacketSize: 65_536,
  receiveMaximum: 64,
  writeChunk: 4096,
  receivePool: 0,
});

const URL_PATTERN = /^(mqtts?|wss?):\/\/(\[[^\]]+\]|[^:/?#]+)(?::(\d{1,5}))?(\/[^?#]*)?$/;
/** Default ports by scheme. */
const PORTS: Readonly<Record<string, number>> = Object.freeze({ mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 });

/**
 * ClientOptions with every default resolved: one getter per option, so the defaults live once, in
 * code (in flash when preloaded), and an instance holds only the options and the parsed URL.
 */
/** One broker of the url list, parsed. */
class Broker {
  readonly url: string;
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number;
  /** The HTTP path of MQTT over WebSocket (ws://, wss://); undefined for a TCP broker. */
  readonly path: string | undefined;

  constructor(text: string) {
    const url = URL_PATTERN.exec(text);
    const web = url !== null && url[1].startsWith("ws");
    if (!url || (!web && url[4] !== undefined && url[4] !== "/"))
      throw new RangeError(`broker URL "${text}" is not mqtt://host:port, mqtts://host:port or ws[s]://host:port/path`);
    this.url = text;
    this.secure = url[1] === "mqtts" || url[1] === "wss";
    this.hostname = url[2].replace(/^\[|\]$/g, "");
    this.port = url[3] ? Number(url[3]) : PORTS[url[1]];
    // Most brokers serve MQTT over WebSocket at /mqtt (EMQX, HiveMQ); Mosquitto and Aedes take any path.
    this.path = web ? (url[4] ?? "/mqtt") : undefined;
  }
}

export class Settings {
  readonly #options: ClientOptions;
  /** The brokers of the url list, in its order; the client is on brokers[#at]. */
  readonly brokers: readonly Broker[];
  #at = 0;

  /** Throws a RangeError naming the URL when one is not mqtt[s]://host[:port] or ws[s]://host[:port][/path]. */
  constructor(options: ClientOptions, random: () => number = Math.random) {
    this.brokers = options.url.split(",").map((text) => new Broker(text.trim()));
    const bytes = utf8Length(options.clientId);
    if (options.protocolVersion === 3 && (bytes < 1 || bytes > 23))
      throw new RangeError(`an MQTT 3.1 client identifier is 1 to 23 bytes; "${options.clientId}" is ${bytes}`);
    this.#options = options;
    // Random order starts anywhere too, so that a fleet spreads over the nodes from its first connect.
    if (this.random) this.#at = Math.floor(random() * this.brokers.length) % this.brokers.length;
  }

  get random(): boolean {
    return this.#options.brokerOrder === "random";
  }
  /** The broker the client is on (or trying). */
  get url(): string {
    return this.brokers[this.#at].url;
  }
  get secure(): boolean {
    return this.brokers[this.#at].secure;
  }
  get hostname(): string {
    return this.brokers[this.#at].hostname;
  }
  get port(): number {
    return this.brokers[this.#at].port;
  }
  get path(): string | undefined {
    return this.brokers[this.#at].path;
  }
  /** Moves to the next broker of the list, or with brokerOrder "random" to any other; false when there is only one. */
  moveOn(random: () => number): boolean {
    const n = this.brokers.length;
    if (n < 2) return false;
    this.#at = (this.#at + (this.random ? 1 + Math.floor(random() * (n - 1)) % (n - 1) : 1)) % n;
    return true;
  }
  get clientId(): string {
    return this.#options.clientId;
  }
  get protocolVersion(): 3 | 4 | 5 {
    return this.#options.protocolVersion ?? DEFAULTS.protocolVersion;
  }
  get username(): string | undefined {
    return this.#options.username;
  }
  get password(): string | Uint8Array | undefined {
    return this.#options.password;
  }
  /** Seconds. */
  get keepalive(): number {
    return this.#options.keepalive ?? DEFAULTS.keepalive;
  }
  get clean(): boolean {
    return this.#options.clean !== false;
  }
  /** 0 for a clean start, else "never" (0xFFFFFFFF), unless given. */
  get sessionExpiry(): number {
    return this.#options.sessionExpiry ?? (this.clean ? 0 : 0xffffffff);
  }
  get requestProblemInformation(): boolean {
    return this.#options.requestProblemInformation !== false;
  }
  get requestResponseInformation(): boolean {
    return this.#options.requestResponseInformation === true;
  }
  get userProperties(): UserProperties | undefined {
    return this.#options.userProperties;
  }
  get will(): ClientOptions["will"] {
    return this.#options.will;
  }
  get outboxBytes(): number {
    return this.#options.outboxBytes ?? DEFAULTS.outboxBytes;
  }
  get reconnectMin(): number {
    return this.#options.reconnect?.min ?? DEFAULTS.reconnectMin;
  }
  get reconnectMax(): number {
    return this.#options.reconnect?.max ?? DEFAULTS.reconnectMax;
  }
  get stableAfter(): number {
    return this.#options.reconnect?.stableAfter ?? DEFAULTS.stableAfter;
  }
  get connectTimeout(): number {
    return this.#options.connectTimeout ?? DEFAULTS.connectTimeout;
  }
  /** ms; undefined: half the keepalive in force (which the broker may change). */
  get pingTimeout(): number | undefined {
    return this.#options.pingTimeout;
  }
  /** undefined: 20 on 3.1.1, else the broker's receive maximum. */
  get maxInflight(): number | undefined {
    return this.#options.maxInflight;
  }
  get maxPacketSize(): number {
    return this.#options.maxPacketSize ?? DEFAULTS.maxPacketSize;
  }
  get receiveMaximum(): number {
    return this.#options.receiveMaximum ?? DEFAULTS.receiveMaximum;
  }
  get persistPrefix(): string | undefined {
    return this.#options.persistPrefix;
  }
  get persist(): boolean {
    return this.#options.persist !== false;
  }
  get writeChunk(): number {
    return this.#options.writeChunk ?? DEFAULTS.writeChunk;
  }
  get receivePool(): number {
    return this.#options.receivePool ?? DEFAULTS.receivePool;
  }
  get tls(): TlsOptions | undefined {
    return this.#options.tls;
  }
  get onConnect(): ClientOptions["onConnect"] {
    return this.#options.onConnect;
  }
  get onDisconnect(): ClientOptions["onDisconnect"] {
    return this.#options.onDisconnect;
  }
  get onError(): ClientOptions["onError"] {
    return this.#options.onError;
  }
  get onMessage(): ClientOptions["onMessage"] {
    return this.#options.onMessage;
  }
  get onSkipped(): ClientOptions["onSkipped"] {
    return this.#options.onSkipped;
  }
}
