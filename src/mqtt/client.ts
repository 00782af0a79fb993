// The MQTT session: one state machine driven by transport events, packets and one timer. It owns
// packet ids, the in-flight window, keepalive, reconnect backoff, resubscription and the outbox.
import type { Host, Transport } from "../host.js";
import { Backoff } from "./backoff.js";
import { Decoder, encode, encodeUtf8 } from "./codec/index.js";
import type {
  SkippedPublish,
  AckPacket,
  ConnackPacket,
  ConnectPacket,
  Packet,
  ProtocolError,
  PublishPacket,
  QoS,
  SubackPacket,
  SubscribePacket,
  UnsubscribePacket,
  WillProperties,
} from "./codec/index.js";
import { isPermanentRefusal, mqttError, reasonSentence } from "./errors.js";
import { receiverOf, type Message, type MessageHandler, type MessageReceiver, type MqttError, type MqttLink, type PublishDone, type PublishOptions } from "./link.js";
import { Discard, EntryState, FULL, Outbox, TOO_LARGE } from "./outbox.js";
import type { OutboxStats } from "./outbox.js";
import { filterProblem, topicMatches, topicProblem } from "./topic.js";

/** Session states; every change goes through #enter(). */
export const ClientState = Object.freeze({
  /** Made, not started. */
  IDLE: 0,
  /** The transport is opening. */
  CONNECTING: 1,
  /** CONNECT sent, waiting for CONNACK. */
  CONNACK: 2,
  CONNECTED: 3,
  /** The link is down; the reconnect timer runs. */
  WAITING: 4,
  /** stop() was called. */
  STOPPED: 5,
});

export interface ClientOptions {
  /** mqtt://host:port or mqtts://host:port */
  url: string;
  clientId: string;
  /** Default 5; falls back to 4 (3.1.1) when the broker refuses 5. */
  protocolVersion?: 4 | 5;
  username?: string;
  password?: string | Uint8Array;
  /** Seconds; 0 turns keepalive off. Default 60. */
  keepalive?: number;
  /** Clean start (true, the default) or resume a persistent session. */
  clean?: boolean;
  /** MQTT 5 session expiry in seconds; default 0 when clean, else "never". */
  sessionExpiry?: number;
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
  /** PEM CA for mqtts:// when not the host's default. */
  ca?: string;
  /**
   * The broker accepted us; called once the bytes that carried CONNACK have been handled. What it
   * publishes (birth, fresh state) leaves before the messages queued while offline, which follow
   * in their order; a message never overtakes a queued one of its own topic.
   */
  onConnect?(info: { sessionPresent: boolean; protocolVersion: 4 | 5 }): void;
  /** A connected link went down (the client reconnects by itself unless stopped). */
  onDisconnect?(error: MqttError): void;
  /** Anything else worth a person's attention: refusals, failed connects, SUBACK failures. */
  onError?(error: MqttError): void;
  /** Every message received, after the subscription handlers. */
  onMessage?(message: Message): void;
  /** A message over maxPacketSize was skipped unread (3.1.1); without this callback, onError hears of it. */
  onSkipped?(message: SkippedPublish): void;
}

export interface SubscriptionRequest {
  filter: string;
  qos: QoS;
  handler: MessageHandler;
}

/** Per-filter results of a subscribe: undefined where the broker granted it. */
export type SubscribeDone = (results: Array<MqttError | undefined>) => void;

export interface ClientStats extends OutboxStats {
  state: number;
  connected: boolean;
  protocolVersion: number;
  /** Successful CONNACKs, and links lost after one. */
  connects: number;
  disconnects: number;
  /** Successful connects after the first. */
  reconnects: number;
  /** Connect attempts that failed (transport error, timeout, refusal). */
  failedConnects: number;
  published: number;
  received: number;
  /** QoS 2 PUBLISH duplicates the broker resent and we did not deliver again. */
  duplicates: number;
  /** Messages over maxPacketSize, skipped unread. */
  skipped: number;
  /** Every message we were given and will never deliver: the sum of the four causes below. */
  drops: number;
  /** Refused by a full outbox, or (QoS 0) dropped from it for newer messages. */
  dropsFull: number;
  /** Larger than the outbox budget or than the broker's Maximum Packet Size. */
  dropsTooLarge: number;
  /** Refused by the broker (PUBACK or PUBREC with a reason code of 0x80 or more). */
  dropsRefused: number;
  /** An invalid topic or properties that cannot be encoded. */
  dropsInvalid: number;
}

interface Subscription {
  qos: QoS;
  receiver: MessageReceiver;
}

interface Request {
  packet: SubscribePacket | UnsubscribePacket;
  done: SubscribeDone | undefined;
}

type ClientHost = Pick<Host, "clock" | "timers" | "connect" | "store" | "random" | "log">;

const NO_TIME = -1;
const ANNOUNCE_NEW = 1;
const ANNOUNCE_RESUMED = 2;

export class MqttClient implements MqttLink {
  readonly #host: ClientHost;
  readonly #options: ClientOptions;
  readonly #secure: boolean;
  readonly #hostname: string;
  readonly #port: number;
  readonly #outbox: Outbox;
  readonly #backoff: Backoff;
  readonly #decoder: Decoder;
  readonly #tick: () => void;

  #state: number = ClientState.IDLE;
  /** Asked for in options; a refusal of 5 moves it to 4 for this client's life. */
  #version: 4 | 5;
  #transport: Transport | undefined;
  /** Bumped per connection, so callbacks from a closed transport are recognised and ignored. */
  #generation = 0;
  #writable = true;
  #draining = false;
  /** While above 0, writes gather in #batch and go out as one when the event is handled. */
  #corked = 0;
  #batch: Uint8Array | undefined = undefined;
  #batchLength = 0;
  #bytesIn = 0;

  #timer: unknown = undefined;
  #timerDue = Infinity;
  #attemptStart = NO_TIME;
  #retryAt = NO_TIME;
  #connectedAt = NO_TIME;
  #stable = false;
  #lastSent = 0;
  #lastReceived = 0;
  #pingSentAt = NO_TIME;
  #keepaliveMs: number;
  #pingTimeoutMs: number;
  #stopDone: (() => void) | undefined;

  // What the broker told us in CONNACK (MQTT 5), with 3.1.1 defaults.
  #window: number;
  #maxQos = 2;
  #brokerMaxPacket = 0;

  #nextId = 0;
  /** Until the ids wrap, every id above #nextId is free: no need to search the outbox. */
  #wrapped = false;
  readonly #requests = new Map<number, Request>();
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #dones = new Map<number, PublishDone>();
  /** QoS 2 packet ids received and not yet released: duplicates are acknowledged, not delivered. */
  readonly #awaitingRelease = new Set<number>();
  /**
   * Packets decoded from the chunk being read, handled once the decoder has returned: handlers (and
   * all they publish) then run a few frames shallower, which a board's XS stack of 384 slots needs.
   */
  readonly #inbox: Array<Packet | SkippedPublish> = [];
  #decodeError: ProtocolError | undefined = undefined;
  /** A CONNACK was accepted in the chunk being read: onConnect is owed (ANNOUNCE_NEW or ANNOUNCE_RESUMED). */
  #announce = 0;
  /** In #onReadable's loop. */
  #reading = false;
  /** In onConnect: publishes are urgent, and the outbox sends nothing older until it returns. */
  #announcing = false;

  #connects = 0;
  #disconnects = 0;
  #failedConnects = 0;
  #published = 0;
  #received = 0;
  #duplicates = 0;
  #skipped = 0;
  #dropsFull = 0;
  #dropsTooLarge = 0;
  #dropsRefused = 0;
  #dropsInvalid = 0;

  constructor(host: ClientHost, options: ClientOptions) {
    this.#host = host;
    this.#options = options;
    const url = /^(mqtts?):\/\/(\[[^\]]+\]|[^:/?#]+)(?::(\d{1,5}))?\/?$/.exec(options.url);
    if (!url) throw new RangeError(`broker URL "${options.url}" is not mqtt://host:port or mqtts://host:port`);
    this.#secure = url[1] === "mqtts";
    this.#hostname = url[2].replace(/^\[|\]$/g, "");
    this.#port = url[3] ? Number(url[3]) : this.#secure ? 8883 : 1883;
    this.#version = options.protocolVersion ?? 5;
    this.#keepaliveMs = (options.keepalive ?? 60) * 1000;
    this.#pingTimeoutMs = options.pingTimeout ?? this.#keepaliveMs / 2;
    this.#window = options.maxInflight ?? 20;
    const reconnect = options.reconnect ?? {};
    this.#backoff = new Backoff({ min: reconnect.min ?? 500, max: reconnect.max ?? 60_000 }, host.random);
    this.#outbox = new Outbox({
      budget: options.outboxBytes ?? 16_384,
      store: options.persist === false ? undefined : host.store,
      prefix: options.persistPrefix,
      onDiscard: (seq, why) =>
        this.#finish(
          seq,
          why === Discard.DROPPED
            ? mqttError("dropped", "outbox full: this QoS 0 message was dropped for newer ones")
            : mqttError("coalesced", "replaced in the outbox by a newer message of the same topic"),
        ),
    });
    this.#nextId = this.#outbox.highestId();
    // One closure for both (on XS each closure costs about ten slots).
    const received = (item: Packet | SkippedPublish): void => void this.#inbox.push(item);
    this.#decoder = new Decoder({
      protocolVersion: this.#version,
      maxPacketSize: options.maxPacketSize ?? 65_536,
      poolSize: options.receivePool ?? 0,
      onPacket: received,
      onError: (error) => void (this.#decodeError = error),
      onSkipped: received,
    });
    this.#tick = () => {
      this.#timer = undefined;
      this.#timerDue = Infinity;
      this.#onTimer();
    };
  }

  get connected(): boolean {
    return this.#state === ClientState.CONNECTED;
  }

  get state(): number {
    return this.#state;
  }

  get protocolVersion(): 4 | 5 {
    return this.#version;
  }

  /** Connects, and keeps reconnecting until stop(). */
  start(): void {
    if (this.#state !== ClientState.IDLE && this.#state !== ClientState.STOPPED) return;
    this.#backoff.reset();
    this.#open();
  }

  /** Sends DISCONNECT when connected (no will), closes, and stops reconnecting. */
  stop(done?: () => void): void {
    if (this.#state === ClientState.CONNECTED) {
      this.#write(encode({ cmd: "disconnect", reasonCode: 0 }, this.#version));
      this.#flush();
    }
    this.#stopDone = done;
    this.#enter(ClientState.STOPPED);
  }

  publish(
    topic: string,
    payload: string | Uint8Array,
    options?: PublishOptions,
    done?: PublishDone,
  ): MqttError | undefined {
    const problem = topicProblem(topic);
    if (problem) {
      this.#dropsInvalid++;
      return mqttError("invalid-topic", `cannot publish: ${problem}`);
    }
    const wanted = options?.qos ?? 0;
    const qos = (wanted > this.#maxQos ? this.#maxQos : wanted) as QoS;
    let bytes: Uint8Array;
    try {
      bytes = encode(
        {
          cmd: "publish",
          topic,
          payload: typeof payload === "string" ? encodeUtf8(payload) : payload,
          qos,
          dup: false,
          retain: options?.retain === true,
          // A placeholder: the real id is written in when the packet goes out.
          messageId: qos > 0 ? 1 : undefined,
          properties: this.#version === 5 ? options?.properties : undefined,
        },
        this.#version,
      );
    } catch (error) {
      this.#dropsInvalid++;
      return mqttError("invalid-message", `cannot publish to "${topic}": ${(error as Error).message}`);
    }
    if (this.#brokerMaxPacket > 0 && bytes.length > this.#brokerMaxPacket) {
      this.#dropsTooLarge++;
      return mqttError("too-large", `the message is ${bytes.length} bytes; the broker takes at most ${this.#brokerMaxPacket}`);
    }
    // QoS 0 with nothing queued ahead of it goes straight out: no need to hold it.
    if (qos === 0 && this.#state === ClientState.CONNECTED && this.#writable && this.#outbox.nextQueued() < 0) {
      this.#published++;
      this.#write(bytes);
      done?.(undefined);
      return undefined;
    }
    const seq = this.#outbox.add(bytes, qos, options?.coalesce === true, this.#version, this.#announcing);
    if (seq === TOO_LARGE) {
      this.#dropsTooLarge++;
      return mqttError("too-large", `the message is ${bytes.length} bytes; the outbox holds ${this.#outbox.budget} bytes in all`);
    }
    if (seq === FULL) {
      this.#dropsFull++;
      return mqttError(
        "outbox-full",
        `outbox full (${this.#outbox.bytesUsed} of ${this.#outbox.budget} bytes): QoS ${qos} message to "${topic}" refused`,
      );
    }
    this.#published++;
    if (done) this.#dones.set(seq, done);
    this.#drainCorked();
    return undefined;
  }

  subscribe(filter: string, qos: QoS, handler: MessageHandler, done?: SubscribeDone): MqttError | undefined {
    return this.subscribeMany([{ filter, qos, handler }], done);
  }

  /** Subscribes to several filters in one SUBSCRIBE; `done` gets one result per filter. */
  subscribeMany(requests: SubscriptionRequest[], done?: SubscribeDone): MqttError | undefined {
    if (requests.length === 0) return mqttError("invalid-filter", "cannot subscribe: no filter given");
    for (const request of requests) {
      const problem = filterProblem(request.filter);
      if (problem) return mqttError("invalid-filter", `cannot subscribe: ${problem}`);
    }
    for (const request of requests) {
      this.#subscriptions.set(request.filter, { qos: request.qos, receiver: receiverOf(request.handler) });
    }
    return this.#request(
      {
        cmd: "subscribe",
        messageId: 0,
        subscriptions: requests.map((request) => ({ topic: request.filter, qos: request.qos })),
      },
      done,
    );
  }

  unsubscribe(filter: string): void {
    if (!this.#subscriptions.delete(filter)) return;
    this.#request({ cmd: "unsubscribe", messageId: 0, unsubscriptions: [filter] }, undefined);
  }

  stats(): ClientStats {
    const outbox = this.#outbox.stats();
    const full = this.#dropsFull + outbox.dropped;
    return {
      ...outbox,
      state: this.#state,
      connected: this.connected,
      protocolVersion: this.#version,
      connects: this.#connects,
      disconnects: this.#disconnects,
      reconnects: Math.max(0, this.#connects - 1),
      failedConnects: this.#failedConnects,
      published: this.#published,
      received: this.#received,
      duplicates: this.#duplicates,
      skipped: this.#skipped,
      drops: full + this.#dropsTooLarge + this.#dropsRefused + this.#dropsInvalid,
      dropsFull: full,
      dropsTooLarge: this.#dropsTooLarge,
      dropsRefused: this.#dropsRefused,
      dropsInvalid: this.#dropsInvalid,
    };
  }

  // ---- the state machine ----

  /** The one place states change, with each state's entry actions. */
  #enter(next: number, error?: MqttError, retryIn?: number): void {
    const previous = this.#state;
    this.#state = next;
    if (next === ClientState.CONNECTING) {
      this.#attemptStart = this.#host.clock.now();
    } else if (next === ClientState.CONNECTED) {
      const now = this.#host.clock.now();
      this.#connectedAt = this.#lastSent = this.#lastReceived = now;
      this.#pingSentAt = NO_TIME;
      this.#stable = false;
      this.#connects++;
    } else if (next === ClientState.WAITING || next === ClientState.STOPPED) {
      this.#close();
      if (previous === ClientState.CONNECTED) {
        this.#disconnects++;
        if (error) this.#options.onDisconnect?.(error);
      } else if (previous === ClientState.CONNECTING || previous === ClientState.CONNACK) {
        this.#failedConnects++;
        if (error) this.#options.onError?.(error);
      }
      if (next === ClientState.WAITING) {
        this.#retryAt = this.#host.clock.now() + (retryIn ?? this.#backoff.next());
      } else {
        this.#clearTimer();
        const done = this.#stopDone;
        this.#stopDone = undefined;
        done?.();
        return;
      }
    }
    // Each state has its own deadlines: forget the last state's timer.
    this.#clearTimer();
    this.#schedule();
  }

  #open(): void {
    this.#enter(ClientState.CONNECTING);
    const generation = ++this.#generation;
    const mine = () => generation === this.#generation;
    this.#writable = true;
    this.#bytesIn = 0;
    this.#announce = 0;
    this.#decoder.reset();
    this.#decoder.protocolVersion = this.#version;
    this.#decoder.skipOversized = this.#version !== 5;
    try {
      this.#transport = this.#host.connect({
        host: this.#hostname,
        port: this.#port,
        secure: this.#secure,
        ca: this.#options.ca,
        onConnect: () => mine() && this.#onTransportConnect(),
        onReadable: () => mine() && this.#onReadable(),
        onWritable: () => {
          if (!mine()) return;
          this.#writable = true;
          this.#drainCorked();
        },
        onError: (reason) => mine() && this.#onTransportError(reason),
      });
    } catch (error) {
      this.#linkDown(mqttError("connect-failed", `cannot connect to ${this.#options.url}: ${(error as Error).message}`));
    }
  }

  #close(): void {
    this.#generation++;
    const transport = this.#transport;
    this.#transport = undefined;
    this.#batch = undefined;
    this.#batchLength = 0;
    transport?.close();
    this.#pingSentAt = NO_TIME;
  }

  /** The link failed: close and wait for the next attempt. */
  #linkDown(error: MqttError, retryIn?: number): void {
    if (this.#state === ClientState.STOPPED || this.#state === ClientState.WAITING) return;
    this.#enter(ClientState.WAITING, error, retryIn);
  }

  #onTransportConnect(): void {
    if (this.#state !== ClientState.CONNECTING) return;
    this.#write(encode(this.#connectPacket()));
    this.#enter(ClientState.CONNACK);
  }

  #onTransportError(reason: string): void {
    // A broker that only speaks 3.1.1 may just hang up on a version 5 CONNECT.
    if (this.#state === ClientState.CONNACK && this.#version === 5 && this.#bytesIn === 0 && this.#connects === 0) {
      this.#fallBack();
      return;
    }
    const where = this.#state === ClientState.CONNECTED ? "link lost" : `cannot connect to ${this.#options.url}`;
    this.#linkDown(mqttError("transport", `${where}: ${reason}`));
  }

  #onReadable(): void {
    // A transport that calls back while we read (a handler wrote, a test link answered at once):
    // the loop below is still running and takes the new chunk in its turn.
    if (this.#reading) return;
    this.#reading = true;
    // Answers to a chunk of packets (acks, the publishes they make room for) leave in one write.
    this.#corked++;
    try {
      // Each chunk's packets are handled here, once the decoder has returned, and onConnect after
      // them: handlers then run a few frames shallower, which a board's XS stack of 384 slots needs.
      const generation = this.#generation;
      while (this.#readChunk(generation)) this.#handleInbox(generation);
      if (this.#announce !== 0) this.#announceConnect();
    } finally {
      this.#reading = false;
      this.#uncork();
    }
  }

  /** Feeds the next received chunk to the decoder; false when there is none (or the link changed). */
  #readChunk(generation: number): boolean {
    const transport = this.#transport;
    if (!transport || generation !== this.#generation) return false;
    const chunk = transport.read();
    if (!chunk) return false;
    if (this.#bytesIn === 0 && this.#state === ClientState.CONNACK && this.#decoder.protocolVersion === 5) {
      // A 3.1.1 CONNACK (remaining length 2) to our version 5 CONNECT: read it as 3.1.1.
      if (chunk[0] === 0x20 && chunk[1] === 0x02) this.#decoder.protocolVersion = 4;
    }
    this.#bytesIn += chunk.length;
    this.#lastReceived = this.#host.clock.now();
    this.#decoder.feed(chunk);
    return true;
  }

  /** onConnect, owed since a CONNACK was accepted in the bytes just handled. */
  #announceConnect(): void {
    const sessionPresent = this.#announce === ANNOUNCE_RESUMED;
    this.#announce = 0;
    if (this.#state !== ClientState.CONNECTED) return;
    this.#announcing = true;
    try {
      this.#options.onConnect?.({ sessionPresent, protocolVersion: this.#version });
    } catch (thrown) {
      this.#options.onError?.(mqttError("callback", `onConnect threw: ${(thrown as Error).message}`));
    } finally {
      this.#announcing = false;
    }
    this.#drain();
  }

  /** Handles what the decoder found, in order; a handler that took the link down ends it. */
  #handleInbox(generation: number): void {
    const inbox = this.#inbox;
    for (let i = 0; i < inbox.length && generation === this.#generation; i++) {
      const item = inbox[i];
      if ("size" in item) this.#onSkipped(item);
      else this.#onPacket(item);
    }
    inbox.length = 0;
    const error = this.#decodeError;
    this.#decodeError = undefined;
    if (error && generation === this.#generation) this.#onDecodeError(error);
  }

  #onDecodeError(error: ProtocolError): void {
    this.#linkDown(mqttError("protocol", `the broker sent a bad packet: ${error.message}`, error.reasonCode));
  }

  #onTimer(): void {
    const now = this.#host.clock.now();
    const state = this.#state;
    if (state === ClientState.CONNECTING || state === ClientState.CONNACK) {
      if (now >= this.#attemptStart + this.#connectTimeout()) {
        const what = state === ClientState.CONNECTING ? "the connection did not open" : "no CONNACK came";
        this.#linkDown(mqttError("timeout", `cannot connect to ${this.#options.url}: ${what} within ${this.#connectTimeout()} ms`));
        return;
      }
    } else if (state === ClientState.WAITING) {
      if (now >= this.#retryAt) {
        this.#open();
        return;
      }
    } else if (state === ClientState.CONNECTED) {
      if (!this.#stable && now >= this.#connectedAt + this.#stableAfter()) {
        this.#stable = true;
        this.#backoff.reset();
      }
      if (this.#keepaliveMs > 0) {
        if (this.#pingSentAt !== NO_TIME) {
          if (now >= this.#pingSentAt + this.#pingTimeoutMs) {
            this.#linkDown(mqttError("keepalive", `link dead: no answer to PINGREQ within ${this.#pingTimeoutMs} ms`));
            return;
          }
        } else if (now >= Math.min(this.#lastSent, this.#lastReceived) + this.#keepaliveMs) {
          this.#write(encode({ cmd: "pingreq" }));
          this.#pingSentAt = now;
        }
      }
    }
    this.#schedule();
  }

  /** Arms the one timer for the nearest deadline of the current state. */
  #schedule(): void {
    const due = this.#deadline();
    if (due === Infinity || due >= this.#timerDue) return;
    this.#clearTimer();
    this.#timerDue = due;
    this.#timer = this.#host.timers.set(this.#tick, Math.max(0, due - this.#host.clock.now()));
  }

  #deadline(): number {
    switch (this.#state) {
      case ClientState.CONNECTING:
      case ClientState.CONNACK:
        return this.#attemptStart + this.#connectTimeout();
      case ClientState.WAITING:
        return this.#retryAt;
      case ClientState.CONNECTED: {
        let due = this.#stable ? Infinity : this.#connectedAt + this.#stableAfter();
        if (this.#keepaliveMs > 0) {
          const keepalive =
            this.#pingSentAt !== NO_TIME
              ? this.#pingSentAt + this.#pingTimeoutMs
              : Math.min(this.#lastSent, this.#lastReceived) + this.#keepaliveMs;
          if (keepalive < due) due = keepalive;
        }
        return due;
      }
      default:
        return Infinity;
    }
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#host.timers.clear(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Infinity;
  }

  #connectTimeout(): number {
    return this.#options.connectTimeout ?? 10_000;
  }

  #stableAfter(): number {
    return this.#options.reconnect?.stableAfter ?? 30_000;
  }

  #fallBack(): void {
    this.#host.log(`mqtt: ${this.#options.url} does not speak MQTT 5; using 3.1.1`);
    this.#version = 4;
    // Not an error anyone must act on: try again at once.
    this.#enter(ClientState.WAITING, undefined, 0);
  }

  // ---- packets ----

  #onPacket(packet: Packet): void {
    if (this.#state === ClientState.CONNACK) {
      if (packet.cmd === "connack") this.#onConnack(packet);
      else this.#linkDown(mqttError("protocol", `the broker sent ${packet.cmd.toUpperCase()} before CONNACK`));
      return;
    }
    if (this.#state !== ClientState.CONNECTED) return;
    switch (packet.cmd) {
      case "publish":
        this.#onPublish(packet);
        break;
      case "puback":
      case "pubrec":
      case "pubcomp":
        this.#onAck(packet);
        break;
      case "pubrel":
        this.#awaitingRelease.delete(packet.messageId);
        this.#write(encode({ cmd: "pubcomp", messageId: packet.messageId }, this.#version));
        break;
      case "suback":
        this.#onSuback(packet);
        break;
      case "unsuback":
        this.#requests.delete(packet.messageId);
        break;
      case "pingresp":
        this.#pingSentAt = NO_TIME;
        break;
      case "disconnect": {
        const code = packet.reasonCode ?? 0;
        const why = packet.properties?.reasonString;
        this.#linkDown(
          mqttError("disconnected", `the broker disconnected us: ${reasonSentence(code, 5)}${why ? ` (${why})` : ""}`, code),
        );
        break;
      }
      default:
        this.#linkDown(mqttError("protocol", `the broker sent an unexpected ${packet.cmd.toUpperCase()}`));
    }
  }

  #onConnack(packet: ConnackPacket): void {
    const v4 = this.#decoder.protocolVersion !== 5;
    const code = (v4 ? packet.returnCode : packet.reasonCode) ?? 0;
    if (code !== 0) {
      if (this.#version === 5 && ((v4 && code === 1) || (!v4 && code === 0x84))) {
        this.#fallBack();
        return;
      }
      const version = v4 ? 4 : 5;
      const why = packet.properties?.reasonString;
      const error = mqttError(
        "refused",
        `broker refused: ${reasonSentence(code, version, true)}${why ? ` (${why})` : ""}`,
        code,
      );
      this.#linkDown(error, isPermanentRefusal(code, version) ? this.#backoff.longest() : undefined);
      return;
    }
    const properties = packet.properties;
    // A 3.1.1 broker cannot announce its limit; Mosquitto's is 20 and it silently drops QoS 2
    // beyond it, so 20 (mosquitto_pub's own default) unless told otherwise.
    const ours = this.#options.maxInflight ?? (v4 ? 20 : 65_535);
    this.#window = Math.min(ours, properties?.receiveMaximum ?? 65_535);
    this.#maxQos = properties?.maximumQoS ?? 2;
    this.#brokerMaxPacket = properties?.maximumPacketSize ?? 0;
    if (properties?.serverKeepAlive !== undefined) {
      this.#keepaliveMs = properties.serverKeepAlive * 1000;
      this.#pingTimeoutMs = this.#options.pingTimeout ?? this.#keepaliveMs / 2;
    }
    this.#enter(ClientState.CONNECTED);
    const sessionPresent = packet.sessionPresent === true;
    if (!sessionPresent) this.#awaitingRelease.clear();
    // Requests never acknowledged go again with their ids; a lost session gets every subscription back.
    const pending = new Set<string>();
    for (const request of this.#requests.values()) {
      if (request.packet.cmd === "subscribe") for (const s of request.packet.subscriptions) pending.add(s.topic);
      this.#write(encode(request.packet, this.#version));
    }
    if (!sessionPresent) {
      const subscriptions = [];
      for (const [filter, subscription] of this.#subscriptions) {
        if (!pending.has(filter)) subscriptions.push({ topic: filter, qos: subscription.qos });
      }
      if (subscriptions.length > 0) this.#request({ cmd: "subscribe", messageId: 0, subscriptions }, undefined);
    }
    // Releases go at once; what was queued waits for onConnect's news (#announceConnect drains it).
    this.#outbox.requeue((id) => this.#write(encode({ cmd: "pubrel", messageId: id }, this.#version)));
    this.#announce = sessionPresent ? ANNOUNCE_RESUMED : ANNOUNCE_NEW;
  }

  #onPublish(packet: PublishPacket): void {
    const id = packet.messageId ?? 0;
    if (this.#arrived(packet.qos, id)) this.#deliver(packet);
    this.#acknowledge(packet.qos, id);
  }

  /** A PUBLISH over maxPacketSize that the decoder skipped: acknowledged as its QoS asks, never delivered. */
  #onSkipped(skipped: SkippedPublish): void {
    const id = skipped.messageId ?? 0;
    if (this.#arrived(skipped.qos, id)) {
      this.#skipped++;
      const onSkipped = this.#options.onSkipped;
      if (onSkipped) this.#guard(() => onSkipped(skipped), "onSkipped");
      else {
        const max = this.#decoder.maxPacketSize;
        this.#options.onError?.(mqttError("too-large", `skipped a message of ${skipped.size} bytes on "${skipped.topic}": this client takes at most ${max}`));
      }
    }
    this.#acknowledge(skipped.qos, id);
  }

  /** Counts a PUBLISH in; false for a QoS 2 duplicate, or one past the receive maximum (the link then goes down). */
  #arrived(qos: QoS, id: number): boolean {
    this.#received++;
    if (qos !== 2) return true;
    const awaiting = this.#awaitingRelease;
    if (awaiting.has(id)) {
      this.#duplicates++;
      return false;
    }
    const most = this.#receiveMaximum();
    if (awaiting.size >= most) {
      // [MQTT-3.3.4-9]: the broker must not have more unreleased; a table bounded by what we announced.
      const error = mqttError("protocol", `the broker sent more than ${most} QoS 2 messages awaiting release: ${reasonSentence(0x93, 5)}`, 0x93);
      if (this.#version === 5) {
        this.#write(encode({ cmd: "disconnect", reasonCode: 0x93 }, 5));
        this.#flush();
      }
      this.#linkDown(error);
      return false;
    }
    awaiting.add(id);
    return true;
  }

  #acknowledge(qos: QoS, id: number): void {
    if (qos === 0 || this.#state !== ClientState.CONNECTED) return;
    this.#write(encode({ cmd: qos === 1 ? "puback" : "pubrec", messageId: id }, this.#version));
  }

  #receiveMaximum(): number {
    return this.#options.receiveMaximum ?? 64;
  }

  #deliver(packet: PublishPacket): void {
    const message: Message = {
      topic: packet.topic,
      payload: typeof packet.payload === "string" ? encodeUtf8(packet.payload) : packet.payload,
      qos: packet.qos,
      retain: packet.retain,
      dup: packet.dup,
    };
    if (packet.properties) message.properties = packet.properties;
    try {
      for (const [filter, subscription] of this.#subscriptions) {
        if (topicMatches(filter, message.topic)) subscription.receiver.onMessage(message);
      }
      this.#options.onMessage?.(message);
    } catch (error) {
      this.#options.onError?.(
        mqttError("handler", `a message handler for "${message.topic}" threw: ${(error as Error).message}`),
      );
    }
  }

  #onAck(packet: AckPacket): void {
    const at = this.#outbox.findId(packet.messageId);
    const state = at < 0 ? EntryState.FREE : this.#outbox.state(at);
    const code = packet.reasonCode ?? 0;
    if (packet.cmd === "pubrec") {
      if (state === EntryState.SENT && this.#outbox.qos(at) === 2) {
        if (code >= 0x80) {
          this.#dropsRefused++;
          this.#complete(at, mqttError("publish-refused", `broker refused the message: ${reasonSentence(code, 5)}`, code));
          return;
        }
        this.#outbox.markReleased(at);
      }
      // Also for an unknown id: the broker waits for PUBREL to free it.
      this.#write(encode({ cmd: "pubrel", messageId: packet.messageId }, this.#version));
      return;
    }
    const expected = packet.cmd === "puback" ? EntryState.SENT : EntryState.RELEASED;
    if (state !== expected || (packet.cmd === "puback") !== (this.#outbox.qos(at) === 1)) return;
    // A PUBCOMP's only failure, 0x92 (id not found), means the broker already let the message go
    // (its PUBREC accepted it) and forgot the id: the release is complete either way.
    const refused = packet.cmd === "puback" && code >= 0x80;
    if (refused) this.#dropsRefused++;
    this.#complete(at, refused ? mqttError("publish-refused", `broker refused the message: ${reasonSentence(code, 5)}`, code) : undefined);
  }

  #onSuback(packet: SubackPacket): void {
    const request = this.#requests.get(packet.messageId);
    if (!request || request.packet.cmd !== "subscribe") return;
    this.#requests.delete(packet.messageId);
    const results: Array<MqttError | undefined> = [];
    let failed: MqttError | undefined;
    request.packet.subscriptions.forEach((subscription, i) => {
      const code = packet.granted[i] ?? 0x80;
      if (code < 0x80) {
        results.push(undefined);
        return;
      }
      // Not granted: forget it, so it is not sent again after every reconnect.
      this.#subscriptions.delete(subscription.topic);
      failed = mqttError(
        "subscribe-refused",
        `subscription to "${subscription.topic}" refused: ${reasonSentence(code, this.#version)}`,
        code,
      );
      results.push(failed);
    });
    if (request.done) this.#guard(() => request.done?.(results), "a subscribe callback");
    else if (failed) this.#options.onError?.(failed);
  }

  /** Queues a SUBSCRIBE or UNSUBSCRIBE with a fresh id; sent now if connected, else at connect. */
  #request(packet: SubscribePacket | UnsubscribePacket, done: SubscribeDone | undefined): MqttError | undefined {
    const id = this.#allocateId();
    if (id === 0) return mqttError("no-packet-id", "every packet id is in use; try again when some are acknowledged");
    packet.messageId = id;
    this.#requests.set(id, { packet, done });
    if (this.#state === ClientState.CONNECTED) this.#write(encode(packet, this.#version));
    return undefined;
  }

  // ---- sending ----

  /** Sends queued publishes in order while the link takes them and the in-flight window allows. */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#state === ClientState.CONNECTED && this.#writable) {
        const at = this.#outbox.nextQueued();
        if (at < 0 || (this.#announcing && !this.#outbox.urgent(at))) break;
        let qos = this.#outbox.qos(at);
        if (qos > 0 && this.#outbox.inflight >= this.#window) break;
        let id = 0;
        if (qos > 0) {
          id = this.#outbox.id(at) || this.#allocateId();
          if (id === 0) break;
        }
        if (qos > this.#maxQos && this.#outbox.id(at) === 0 && this.#maxQos === 1) {
          this.#outbox.downgrade(at);
          qos = 1;
        }
        let bytes = this.#outbox.markSent(at, id);
        if (this.#outbox.version(at) !== this.#version || qos > this.#maxQos) {
          bytes = this.#transcode(bytes, this.#outbox.version(at));
          if (qos > this.#maxQos) qos = 0;
        }
        if (this.#brokerMaxPacket > 0 && bytes.length > this.#brokerMaxPacket) {
          const size = bytes.length;
          this.#dropsTooLarge++;
          this.#complete(at, mqttError("too-large", `the message is ${size} bytes; the broker takes at most ${this.#brokerMaxPacket}`));
          continue;
        }
        this.#write(bytes, false);
        if (qos === 0) this.#complete(at, undefined);
      }
    } finally {
      this.#draining = false;
    }
  }

  #drainCorked(): void {
    this.#corked++;
    try {
      this.#drain();
    } finally {
      this.#uncork();
    }
  }

  /** Re-encodes a queued packet for the link's version and QoS limit (after a fallback or a new broker). */
  #transcode(bytes: Uint8Array, from: number): Uint8Array {
    let packet: PublishPacket | undefined;
    const decoder = new Decoder({
      protocolVersion: from as 4 | 5,
      maxPacketSize: bytes.length,
      onPacket: (decoded) => {
        if (decoded.cmd === "publish") packet = decoded;
      },
      onError: () => undefined,
    });
    decoder.feed(bytes);
    if (!packet) return bytes.slice();
    if (this.#version !== 5) delete packet.properties;
    if (packet.qos > this.#maxQos) {
      packet.qos = this.#maxQos as QoS;
      if (packet.qos === 0) delete packet.messageId;
    }
    return encode(packet, this.#version);
  }

  /** Removes a finished entry and reports to its publisher. */
  #complete(at: number, error: MqttError | undefined): void {
    this.#finish(this.#outbox.remove(at), error);
    if (!this.#draining) this.#drain();
  }

  #finish(seq: number, error: MqttError | undefined): void {
    const done = this.#dones.get(seq);
    if (!done) return;
    this.#dones.delete(seq);
    // Inline rather than #guard: this runs once per message and needs no closure.
    try {
      done(error);
    } catch (thrown) {
      this.#options.onError?.(mqttError("callback", `a publish callback threw: ${(thrown as Error).message}`));
    }
  }

  /** Runs application code so that a throw is reported, not left to break a packet half handled. */
  #guard(run: () => void, what: string): void {
    try {
      run();
    } catch (thrown) {
      this.#options.onError?.(mqttError("callback", `${what} threw: ${(thrown as Error).message}`));
    }
  }

  /**
   * Sends bytes, or gathers them while corked. `owned` false: a view (into the outbox arena)
   * that must be copied, since the transport may keep what it is given.
   */
  #write(bytes: Uint8Array, owned = true): void {
    const transport = this.#transport;
    if (!transport) return;
    this.#lastSent = this.#host.clock.now();
    const chunk = this.#options.writeChunk ?? 4096;
    if (this.#corked > 0 && bytes.length < chunk) {
      if (this.#batchLength + bytes.length > chunk) this.#flush();
      this.#batch ??= new Uint8Array(chunk);
      this.#batch.set(bytes, this.#batchLength);
      this.#batchLength += bytes.length;
      return;
    }
    this.#flush();
    if (this.#transport && !this.#transport.write(owned ? bytes : bytes.slice())) this.#writable = false;
  }

  #flush(): void {
    const batch = this.#batch;
    if (!batch || !this.#transport) return;
    const length = this.#batchLength;
    // A fresh buffer next time: the transport may still hold this one.
    this.#batch = undefined;
    this.#batchLength = 0;
    if (!this.#transport.write(batch.subarray(0, length))) this.#writable = false;
  }

  #uncork(): void {
    if (--this.#corked === 0) this.#flush();
  }

  /** The next packet id not held by a request or an outbox entry (1..65535, wrapping). */
  #allocateId(): number {
    for (let tries = 0; tries < 65_535; tries++) {
      if (this.#nextId >= 65_535) {
        this.#nextId = 0;
        this.#wrapped = true;
      }
      const id = ++this.#nextId;
      if (!this.#requests.has(id) && !(this.#wrapped && this.#outbox.holdsId(id))) return id;
    }
    return 0;
  }

  #connectPacket(): ConnectPacket {
    const options = this.#options;
    const clean = options.clean !== false;
    const packet: ConnectPacket = {
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: this.#version,
      clean,
      keepalive: options.keepalive ?? 60,
      clientId: options.clientId,
    };
    if (options.username !== undefined) packet.username = options.username;
    if (options.password !== undefined) packet.password = options.password;
    if (options.will) {
      const will = options.will;
      packet.will = {
        topic: will.topic,
        payload: typeof will.payload === "string" ? encodeUtf8(will.payload) : will.payload,
        qos: will.qos ?? 0,
        retain: will.retain === true,
      };
      if (this.#version === 5 && will.properties) packet.will.properties = will.properties;
    }
    if (this.#version === 5) {
      packet.properties = {
        sessionExpiryInterval: options.sessionExpiry ?? (clean ? 0 : 0xffffffff),
        // Bounds the QoS 2 ids we must remember until PUBREL.
        receiveMaximum: this.#receiveMaximum(),
        maximumPacketSize: options.maxPacketSize ?? 65_536,
      };
    }
    return packet;
  }
}
