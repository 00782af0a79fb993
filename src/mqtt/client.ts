// The MQTT session: the client's public API and one state machine driven by transport events,
// packets and one timer. It owns the connection's lifecycle (connect, CONNACK, keepalive, reconnect
// backoff, the version fallback) and hands the rest to its rooms: what we publish to Outgoing,
// what the broker sends us to Inbound, filters and their requests to Subscriptions, bytes to the
// Writer, packet ids to PacketIds, SUBSCRIBE and UNSUBSCRIBE to Requests, the CONNECT to handshake.ts.
import type { Host, TlsOptions, Transport, TransportOptions } from "../host.js";
import { Backoff } from "./backoff.js";
import { Decoder, encode } from "./codec/index.js";
import type {
  ConnackPacket,
  DisconnectPacket,
  Packet,
  ProtocolError,
  QoS,
  SkippedPublish,
  SubackPacket,
  UnsubackPacket,
} from "./codec/index.js";
import { ErrorCode, isPermanentRefusal, mqttError, reasonSentence } from "./errors.js";
import { PacketIds } from "./ids.js";
import { Inbound } from "./inbound.js";
import type { MessageHandler, MqttError, MqttLink, PublishDone, PublishOptions } from "./link.js";
import { Settings, type ClientOptions } from "./options.js";
import { Outgoing } from "./outgoing.js";
import type { OutboxStats } from "./outbox.js";
import {
  Subscriptions,
  type SubscribeDone,
  type SubscribeProperties,
  type SubscriptionRequest,
  type UnsubscribeDone,
  type UnsubscribeProperties,
} from "./subscriptions.js";
import { Writer } from "./writer.js";
import { connectPacket } from "./handshake.js";
import { Requests } from "./requests.js";

export type { ClientOptions, SubscribeDone, SubscribeProperties, SubscriptionRequest, UnsubscribeDone, UnsubscribeProperties };

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

export interface ClientStats extends OutboxStats {
  state: number;
  connected: boolean;
  /** The broker the client is on, or trying next (one of the url list). */
  broker: string;
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

type ClientHost = Pick<Host, "clock" | "timers" | "connect" | "store" | "random" | "log">;

const NO_TIME = -1;
const ANNOUNCE_NEW = 1;
const ANNOUNCE_RESUMED = 2;
/** Why the client speaks 3.1.1 to a broker it asked for 5: it refused 5 (for good), or hung up on it. */
const FELL_BACK_REFUSED = 1;
const FELL_BACK_HUNG_UP = 2;
/** Hang-ups on an MQTT 5 CONNECT, in a row, that make a fallback (one when probing 5 again). */
const HANGUPS_TO_FALL_BACK = 2;

export class MqttClient implements MqttLink {
  readonly #host: ClientHost;
  readonly #settings: Settings;
  readonly #backoff: Backoff;
  readonly #decoder: Decoder;
  readonly #writer: Writer;
  readonly #ids = new PacketIds();
  readonly #subscriptions = new Subscriptions();
  readonly #inbound: Inbound;
  readonly #outgoing: Outgoing;
  readonly #requests: Requests;
  readonly #tick: () => void;

  #state: number = ClientState.IDLE;
  /** The version of the next CONNECT: asked for in options, 4 after a fallback. */
  #version: 3 | 4 | 5;
  /** 0, FELL_BACK_REFUSED or FELL_BACK_HUNG_UP. */
  #fellBack = 0;
  /** Consecutive hang-ups right after an MQTT 5 CONNECT on a link that had opened. */
  #hangups = 0;
  /** The attempt ending now ended in such a hang-up (any other end breaks the row). */
  #hungUp = false;
  #transport: Transport | undefined;
  /** Bumped per connection, so callbacks from a closed transport are recognised and ignored. */
  #generation = 0;
  #bytesIn = 0;

  #timer: unknown = undefined;
  #timerDue = Infinity;
  #attemptStart = NO_TIME;
  #retryAt = NO_TIME;
  #connectedAt = NO_TIME;
  #stable = false;
  #lastReceived = 0;
  #pingSentAt = NO_TIME;
  #keepaliveMs: number;
  #pingTimeoutMs: number;
  #stopDone: (() => void) | undefined;

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

  #connects = 0;
  #disconnects = 0;
  #failedConnects = 0;

  constructor(host: ClientHost, options: ClientOptions) {
    const settings = new Settings(options, host.random);
    this.#host = host;
    this.#settings = settings;
    this.#version = settings.protocolVersion;
    this.#keepaliveMs = settings.keepalive * 1000;
    this.#pingTimeoutMs = settings.pingTimeout ?? this.#keepaliveMs / 2;
    this.#backoff = new Backoff({ min: settings.reconnectMin, max: settings.reconnectMax }, host.random);
    this.#writer = new Writer(host.clock, settings.writeChunk);
    this.#inbound = new Inbound(settings, this.#subscriptions, this.#writer);
    this.#outgoing = new Outgoing(settings, host, this.#writer, this.#ids, this.#subscriptions);
    this.#ids.startAbove(this.#outgoing.outbox.highestId());
    this.#requests = new Requests(settings, this.#subscriptions, this.#ids, this.#outgoing, this.#writer);
    // One closure for both (on XS each closure costs about ten slots).
    const received = (item: Packet | SkippedPublish): void => void this.#inbox.push(item);
    this.#decoder = new Decoder({
      protocolVersion: this.#version,
      maxPacketSize: settings.maxPacketSize,
      poolSize: settings.receivePool,
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

  /** The broker the client is on, or trying next (one of the url list). */
  get broker(): string {
    return this.#settings.url;
  }

  get protocolVersion(): 3 | 4 | 5 {
    return this.#version;
  }

  /** Connects, and keeps reconnecting until stop(). */
  start(): void {
    if (this.#state !== ClientState.IDLE && this.#state !== ClientState.STOPPED) return;
    this.#backoff.reset();
    this.#open();
  }

  /**
   * The network is back (Wi-Fi got its address, a cable was plugged in): a client waiting out its
   * backoff tries at once, with the backoff from the start. Otherwise nothing changes.
   */
  reconnectNow(): void {
    if (this.#state !== ClientState.WAITING) return;
    this.#backoff.reset();
    this.#open();
  }

  /** Sends DISCONNECT when connected (no will), closes, and stops reconnecting. */
  stop(done?: () => void): void {
    if (this.#state === ClientState.CONNECTED) {
      this.#writer.write(encode({ cmd: "disconnect", reasonCode: 0 }, this.#version));
      this.#writer.flush();
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
    const outgoing = this.#outgoing;
    const bytes = outgoing.prepare(topic, payload, options);
    if (!(bytes instanceof Uint8Array)) return bytes;
    // Written from here rather than from a method of Outgoing: a frame less under the write, which
    // the board's XS stack of 384 slots needs (the same goes for the drain below).
    if ((bytes[0] & 0x06) === 0 && outgoing.open && this.#writer.writable && outgoing.outbox.nextQueued() < 0) {
      // QoS 0 on an open link with nothing queued ahead of it: no need to hold it.
      outgoing.published++;
      this.#writer.write(bytes);
      done?.(undefined, 0);
      return undefined;
    }
    const refused = outgoing.queue(bytes, topic, options?.coalesce === true, done);
    if (refused === undefined) outgoing.drainCorked();
    return refused;
  }

  subscribe(filter: string, qos: QoS, handler: MessageHandler, done?: SubscribeDone): MqttError | undefined {
    return this.subscribeMany([{ filter, qos, handler }], done);
  }

  /**
   * Subscribes to several filters in one SUBSCRIBE, each with its MQTT 5 options; `done` gets one
   * result per filter. The properties (a subscription identifier, user properties) go with it on
   * an MQTT 5 link, and again when a lost session is subscribed anew.
   */
  subscribeMany(requests: SubscriptionRequest[], done?: SubscribeDone, properties?: SubscribeProperties): MqttError | undefined {
    return this.#requests.subscribe(requests, done, properties, this.#version, this.connected);
  }

  /**
   * Unsubscribes one filter or several in one UNSUBSCRIBE, whether or not this process subscribed
   * them (a kept session may hold them); `done` gets one result per filter from the UNSUBACK.
   */
  unsubscribe(filters: string | readonly string[], done?: UnsubscribeDone, properties?: UnsubscribeProperties): MqttError | undefined {
    return this.#requests.unsubscribe(typeof filters === "string" ? [filters] : filters, done, properties, this.#version, this.connected);
  }

  stats(): ClientStats {
    const outgoing = this.#outgoing;
    const outbox = outgoing.outbox.stats();
    const inbound = this.#inbound;
    const full = outgoing.dropsFull + outbox.dropped;
    return {
      ...outbox,
      state: this.#state,
      connected: this.connected,
      broker: this.broker,
      protocolVersion: this.#version,
      connects: this.#connects,
      disconnects: this.#disconnects,
      reconnects: Math.max(0, this.#connects - 1),
      failedConnects: this.#failedConnects,
      published: outgoing.published,
      received: inbound.received,
      duplicates: inbound.duplicates,
      skipped: inbound.skipped,
      drops: full + outgoing.dropsTooLarge + outgoing.dropsRefused + outgoing.dropsInvalid,
      dropsFull: full,
      dropsTooLarge: outgoing.dropsTooLarge,
      dropsRefused: outgoing.dropsRefused,
      dropsInvalid: outgoing.dropsInvalid,
    };
  }

  // ---- the state machine ----

  /** The one place states change, with each state's entry actions. */
  #enter(next: number, error?: MqttError, retryIn?: number): void {
    const previous = this.#state;
    this.#state = next;
    this.#outgoing.open = next === ClientState.CONNECTED;
    if (next === ClientState.CONNECTING) {
      this.#attemptStart = this.#host.clock.now();
    } else if (next === ClientState.CONNECTED) {
      const now = this.#host.clock.now();
      this.#connectedAt = this.#writer.lastSent = this.#lastReceived = now;
      this.#pingSentAt = NO_TIME;
      this.#stable = false;
    } else if (next === ClientState.WAITING || next === ClientState.STOPPED) {
      this.#close();
      // A link lost before onConnect was called (a bad packet right behind the CONNACK) was never
      // a connect the application saw: it is a failed attempt, not a disconnect.
      const announced = previous === ClientState.CONNECTED && this.#announce === 0;
      this.#announce = 0;
      if (!this.#hungUp) this.#hangups = 0;
      this.#hungUp = false;
      if (announced) {
        this.#disconnects++;
        if (!this.#stable) this.#backoff.credit(this.#host.clock.now() - this.#connectedAt);
        if (error) this.#settings.onDisconnect?.(error);
        // A 3.1.1 fallback made on hang-ups alone is tried with 5 again on the next connect.
        if (this.#fellBack === FELL_BACK_HUNG_UP) this.#version = 5;
      } else if (previous !== ClientState.IDLE && previous !== ClientState.WAITING && previous !== ClientState.STOPPED) {
        this.#failedConnects++;
        if (error) this.#settings.onError?.(error);
      }
      if (next === ClientState.WAITING) {
        // Several brokers: a failed attempt or a lost link moves to another; the outbox goes along.
        if (this.#settings.moveOn(this.#host.random)) this.#host.log(`mqtt: next try on ${this.#settings.url}`);
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

  /**
   * One connection's transport options. The host calls the callbacks as methods of this object, so
   * a connection costs one small object rather than a closure per callback (about ten XS slots
   * each); the late callbacks of a closed connection fail the generation check and are ignored.
   */
  static readonly #Link = class implements TransportOptions {
    readonly host: string;
    readonly port: number;
    readonly secure: boolean;
    readonly path: string | undefined;
    readonly tls: TlsOptions | undefined;
    readonly #client: MqttClient;
    /** The client's connection generation when this one was opened. */
    readonly #opened: number;

    constructor(client: MqttClient, settings: Settings) {
      this.host = settings.hostname;
      this.port = settings.port;
      this.secure = settings.secure;
      this.path = settings.path;
      this.tls = settings.secure ? settings.tls : undefined;
      this.#client = client;
      this.#opened = client.#generation;
    }

    onConnect(): void {
      if (this.#opened === this.#client.#generation) this.#client.#onTransportConnect();
    }
    onReadable(): void {
      if (this.#opened === this.#client.#generation) this.#client.#onReadable();
    }
    onWritable(): void {
      if (this.#opened !== this.#client.#generation) return;
      this.#client.#writer.writable = true;
      this.#client.#outgoing.drainCorked();
    }
    onError(reason: string): void {
      if (this.#opened === this.#client.#generation) this.#client.#onTransportError(reason);
    }
  };

  #open(): void {
    this.#enter(ClientState.CONNECTING);
    this.#generation++;
    const settings = this.#settings;
    this.#bytesIn = 0;
    this.#announce = 0;
    this.#decoder.reset();
    this.#decoder.protocolVersion = this.#version;
    this.#decoder.skipOversized = this.#version !== 5;
    try {
      const transport = this.#host.connect(new MqttClient.#Link(this, settings));
      this.#transport = transport;
      this.#writer.attach(transport);
    } catch (error) {
      this.#linkDown(mqttError(ErrorCode.CONNECT_FAILED, `cannot connect to ${settings.url}: ${(error as Error).message}`));
    }
  }

  #close(): void {
    this.#generation++;
    const transport = this.#transport;
    this.#transport = undefined;
    this.#writer.detach();
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
    this.#writer.write(encode(connectPacket(this.#settings, this.#version)));
    this.#enter(ClientState.CONNACK);
  }

  #onTransportError(reason: string): void {
    // A broker that only speaks 3.1.1 may just hang up on a version 5 CONNECT (RabbitMQ 3.10 does).
    // So may a flaky hop or a proxy: only hang-ups in a row, each right after the CONNECT on a link
    // that had opened, before any byte came back, make a fallback.
    if (this.#state === ClientState.CONNACK && this.#version === 5 && this.#bytesIn === 0) {
      const needed = this.#fellBack === FELL_BACK_HUNG_UP ? 1 : HANGUPS_TO_FALL_BACK;
      if (++this.#hangups >= needed) {
        this.#fallBack(FELL_BACK_HUNG_UP, `hung up on ${this.#hangups === 1 ? "an MQTT 5 CONNECT" : `${this.#hangups} MQTT 5 CONNECTs in a row`}`);
        return;
      }
      this.#hungUp = true;
    }
    const where = this.#state === ClientState.CONNECTED ? "link lost" : `cannot connect to ${this.#settings.url}`;
    this.#linkDown(mqttError(ErrorCode.TRANSPORT, `${where}: ${reason}`));
  }

  /**
   * The broker broke the protocol: on an MQTT 5 link say why with DISCONNECT (0x81 malformed,
   * 0x82 protocol error, 0x95 too large, ...) before closing [MQTT-4.13.1].
   */
  #protocolError(reasonCode: number, message: string): void {
    if (this.#version === 5 && this.#decoder.protocolVersion === 5) {
      this.#writer.write(encode({ cmd: "disconnect", reasonCode }, 5));
      this.#writer.flush();
    }
    this.#linkDown(mqttError(ErrorCode.PROTOCOL, message, reasonCode));
  }

  #onReadable(): void {
    // A transport that calls back while we read (a handler wrote, a test link answered at once):
    // the loop below is still running and takes the new chunk in its turn.
    if (this.#reading) return;
    this.#reading = true;
    // Answers to a chunk of packets (acks, the publishes they make room for) leave in one write.
    this.#writer.cork();
    try {
      // Each chunk's packets are handled here, once the decoder has returned, and onConnect after
      // them: handlers then run a few frames shallower, which a board's XS stack of 384 slots needs.
      const generation = this.#generation;
      while (this.#readChunk(generation)) this.#handleInbox(generation);
      if (this.#announce !== 0) this.#announceConnect();
    } finally {
      this.#reading = false;
      this.#writer.uncork();
    }
  }

  /** Feeds the next received chunk to the decoder; false when there is none (or the link changed). */
  #readChunk(generation: number): boolean {
    const transport = this.#transport;
    if (!transport || generation !== this.#generation) return false;
    const chunk = transport.read();
    if (!chunk) return false;
    if (this.#bytesIn < 2 && this.#state === ClientState.CONNACK && this.#decoder.protocolVersion === 5) {
      // A 3.1.1 CONNACK (20 02) to our version 5 CONNECT: read it as 3.1.1. Its two bytes may come
      // in two chunks (over WebSocket, a broker's every write can be a message of its own).
      const second = this.#bytesIn === 1 ? chunk[0] : chunk[0] === 0x20 ? chunk[1] : undefined;
      if (second === 0x02) this.#decoder.protocolVersion = 4;
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
    this.#connects++;
    const outgoing = this.#outgoing;
    outgoing.announcing = true;
    try {
      this.#settings.onConnect?.({ sessionPresent, protocolVersion: this.#version });
    } catch (thrown) {
      this.#settings.onError?.(mqttError(ErrorCode.CALLBACK, `onConnect threw: ${(thrown as Error).message}`));
    } finally {
      outgoing.announcing = false;
    }
    outgoing.drain();
  }

  /** Handles what the decoder found, in order; a handler that took the link down ends it. */
  #handleInbox(generation: number): void {
    const inbox = this.#inbox;
    for (let i = 0; i < inbox.length && generation === this.#generation; i++) {
      const item = inbox[i];
      if ("size" in item) {
        if (this.#state === ClientState.CONNECTED && !this.#inbound.skippedPublish(item, this.#version, this.#decoder.maxPacketSize))
          this.#tooManyUnreleased();
      } else {
        this.#onPacket(item);
      }
    }
    inbox.length = 0;
    const error = this.#decodeError;
    this.#decodeError = undefined;
    if (error && generation === this.#generation) this.#onDecodeError(error);
  }

  #onDecodeError(error: ProtocolError): void {
    this.#protocolError(error.reasonCode, `the broker sent a bad packet: ${error.message}`);
  }

  #onTimer(): void {
    const now = this.#host.clock.now();
    const state = this.#state;
    const settings = this.#settings;
    if (state === ClientState.CONNECTING || state === ClientState.CONNACK) {
      if (now >= this.#attemptStart + settings.connectTimeout) {
        const what = state === ClientState.CONNECTING ? "the connection did not open" : "no CONNACK came";
        this.#linkDown(mqttError(ErrorCode.TIMEOUT, `cannot connect to ${settings.url}: ${what} within ${settings.connectTimeout} ms`));
        return;
      }
    } else if (state === ClientState.WAITING) {
      if (now >= this.#retryAt) {
        this.#open();
        return;
      }
    } else if (state === ClientState.CONNECTED) {
      if (!this.#stable && now >= this.#connectedAt + settings.stableAfter) {
        this.#stable = true;
        this.#backoff.reset();
      }
      if (this.#keepaliveMs > 0) {
        if (this.#pingSentAt !== NO_TIME) {
          if (now >= this.#pingSentAt + this.#pingTimeoutMs) {
            this.#linkDown(mqttError(ErrorCode.KEEPALIVE, `link dead: no answer to PINGREQ within ${this.#pingTimeoutMs} ms`));
            return;
          }
        } else if (now >= Math.min(this.#writer.lastSent, this.#lastReceived) + this.#keepaliveMs) {
          this.#writer.write(encode({ cmd: "pingreq" }));
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
        return this.#attemptStart + this.#settings.connectTimeout;
      case ClientState.WAITING:
        return this.#retryAt;
      case ClientState.CONNECTED: {
        let due = this.#stable ? Infinity : this.#connectedAt + this.#settings.stableAfter;
        if (this.#keepaliveMs > 0) {
          const keepalive =
            this.#pingSentAt !== NO_TIME
              ? this.#pingSentAt + this.#pingTimeoutMs
              : Math.min(this.#writer.lastSent, this.#lastReceived) + this.#keepaliveMs;
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

  /** Speaks 3.1.1 from the next attempt on, which waits its turn in the backoff like any other. */
  #fallBack(why: number, what: string): void {
    this.#host.log(`mqtt: ${this.#settings.url} ${what}; using MQTT 3.1.1`);
    this.#version = 4;
    this.#fellBack = why;
    this.#hangups = 0;
    // Not an error anyone must act on: the log says it, and the next attempt speaks 3.1.1.
    if (this.#state !== ClientState.STOPPED && this.#state !== ClientState.WAITING) this.#enter(ClientState.WAITING);
  }

  // ---- packets ----

  #onPacket(packet: Packet): void {
    // A CONNECT (no broker may send one) made the decoder adopt its level, as a broker's decoder
    // does: this link's version is still ours, so the DISCONNECT 0x82 below goes out on MQTT 5.
    if (packet.cmd === "connect") this.#decoder.protocolVersion = this.#version;
    if (this.#state === ClientState.CONNACK) {
      if (packet.cmd === "connack") this.#onConnack(packet);
      else this.#protocolError(0x82, `the broker sent ${packet.cmd.toUpperCase()} before CONNACK`);
      return;
    }
    if (this.#state !== ClientState.CONNECTED) return;
    switch (packet.cmd) {
      case "publish":
        if (!this.#inbound.publish(packet, this.#version)) this.#tooManyUnreleased();
        break;
      case "puback":
      case "pubrec":
      case "pubcomp":
        this.#outgoing.acknowledged(packet);
        break;
      case "pubrel":
        this.#inbound.release(packet.messageId, this.#version);
        break;
      case "suback":
      case "unsuback":
        this.#onSubscribeAck(packet);
        break;
      case "pingresp":
        this.#pingSentAt = NO_TIME;
        break;
      case "disconnect":
        this.#onDisconnect(packet);
        break;
      default:
        this.#protocolError(0x82, `the broker sent an unexpected ${packet.cmd.toUpperCase()}`);
    }
  }

  // Each packet kind with more than a line to it has a method of its own: XS reserves a slot in
  // #onPacket's frame for every local of every case, under every handler's stack.
  #onSubscribeAck(packet: SubackPacket | UnsubackPacket): void {
    const acknowledged = this.#subscriptions.acknowledged(packet, this.#version);
    if (acknowledged) this.#requests.report(acknowledged.request, acknowledged.results, acknowledged.codes);
  }

  #onDisconnect(packet: DisconnectPacket): void {
    const code = packet.reasonCode ?? 0;
    const why = packet.properties?.reasonString;
    const sentence = code === 0 ? "normal disconnection" : reasonSentence(code, 5);
    this.#linkDown(mqttError(ErrorCode.DISCONNECTED, `the broker disconnected us: ${sentence}${why ? ` (${why})` : ""}`, code));
  }

  /** One QoS 2 PUBLISH past the receive maximum we announced [MQTT-3.3.4-9]: close (DISCONNECT 0x93 on 5). */
  #tooManyUnreleased(): void {
    const most = this.#settings.receiveMaximum;
    if (this.#version === 5) {
      this.#writer.write(encode({ cmd: "disconnect", reasonCode: 0x93 }, 5));
      this.#writer.flush();
    }
    this.#linkDown(mqttError(ErrorCode.PROTOCOL, `the broker sent more than ${most} QoS 2 messages awaiting release: ${reasonSentence(0x93, 5)}`, 0x93));
  }

  #onConnack(packet: ConnackPacket): void {
    const v4 = this.#decoder.protocolVersion !== 5;
    const code = (v4 ? packet.returnCode : packet.reasonCode) ?? 0;
    this.#hangups = 0;
    if (this.#version === 5 && v4) {
      // A 3.1.1 CONNACK to our MQTT 5 CONNECT: only "unacceptable protocol version" means the
      // broker speaks 3.1.1; anything else is a malformed MQTT 5 CONNACK (it needs 3 bytes or more).
      if (code === 1) this.#fallBack(FELL_BACK_REFUSED, "refused MQTT 5 (unacceptable protocol version)");
      else this.#protocolError(0x81, `the broker answered an MQTT 5 CONNECT with a 3.1.1 CONNACK (return code ${code}): malformed packet`);
      return;
    }
    if (code !== 0) {
      if (this.#version === 5 && code === 0x84) {
        this.#fallBack(FELL_BACK_REFUSED, "refused MQTT 5 (unsupported protocol version)");
        return;
      }
      const version = v4 ? 4 : 5;
      const why = packet.properties?.reasonString;
      // Credentials, identity, a ban: trying again soon cannot help, so the next try waits the longest.
      const slow = isPermanentRefusal(code, version) ? this.#backoff.longest() : undefined;
      const later = slow === undefined ? "" : `; next try in ${Math.round(slow / 1000)} s, the longest wait, as retrying sooner cannot fix this`;
      const error = mqttError(ErrorCode.REFUSED, `broker refused: ${reasonSentence(code, version, true)}${why ? ` (${why})` : ""}${later}`, code);
      this.#linkDown(error, slow);
      return;
    }
    const properties = packet.properties;
    const outgoing = this.#outgoing;
    outgoing.version = this.#version;
    const unusable = outgoing.limits(packet, v4);
    if (unusable) {
      this.#linkDown(mqttError(ErrorCode.PROTOCOL, unusable));
      return;
    }
    if (properties?.serverKeepAlive !== undefined) {
      this.#keepaliveMs = properties.serverKeepAlive * 1000;
      this.#pingTimeoutMs = this.#settings.pingTimeout ?? this.#keepaliveMs / 2;
    }
    const settings = this.#settings;
    let sessionPresent = packet.sessionPresent === true;
    if (sessionPresent && settings.clean) {
      // We asked for no session state. MQTT 5 says close [MQTT-3.2.2-4]; a 3.1.1 broker that says
      // so breaks [MQTT-3.2.2-1], and the safe reading is a new session: resubscribe everything.
      if (this.#version === 5) {
        this.#protocolError(0x82, "the broker claims a session is present although we asked for a clean start: protocol error");
        return;
      }
      this.#host.log(`mqtt: ${settings.url} claims a session is present after a clean start; treating it as a new session`);
      sessionPresent = false;
    }
    if (this.#version === 5) this.#fellBack = 0; // 5 works (again)
    this.#enter(ClientState.CONNECTED);
    if (!sessionPresent) this.#inbound.forget();
    // Requests never acknowledged go again with their ids; a lost session gets every subscription back.
    this.#requests.resend(sessionPresent, this.#version);
    // Releases go at once; what was queued waits for onConnect's news (#announceConnect drains it).
    outgoing.requeue();
    this.#announce = sessionPresent ? ANNOUNCE_RESUMED : ANNOUNCE_NEW;
  }
}
