// The device's network as the panel sees and drives it: a switch that cuts every open connection
// and refuses new ones while off (as a Wi-Fi access point going away), and a tap that decodes the
// MQTT packets in and out of the device with the firmware's own codec, for the panel's packet log.
// It wraps the host's connect; the device cannot tell it from a real network.
import { Decoder, type Packet } from "../src/mqtt/codec/index.js";
import { reasonSentence } from "../src/mqtt/errors.js";
import type { Connect, Transport, TransportOptions } from "../src/host.js";

export interface PacketEvent {
  dir: "in" | "out";
  /** One line: the packet type and what matters in it. */
  text: string;
}

export interface Network {
  readonly connect: Connect;
  readonly on: boolean;
  /** Off: open connections fail at once and new ones fail; on: connections work again. */
  set(on: boolean): void;
}

const CUT = "network down (the panel's network switch is off)";

type Callbacks = Pick<TransportOptions, "onConnect" | "onReadable" | "onWritable" | "onError">;

/**
 * The connection `options` asks for, with other callbacks: for a wrapper around a host's connect.
 * Every field of the target is copied here, in one place (a wrapper that forgot `path` once
 * opened TCP to a WebSocket port).
 */
export function sameTarget(options: TransportOptions, callbacks: Callbacks): TransportOptions {
  const { host, port, secure, path, tls } = options;
  return { host, port, secure, path, tls, ...callbacks };
}

/**
 * `onUp` hears the switch turned back on, as firmware hears Wi-Fi come back: the device then tries
 * at once instead of waiting out a backoff that grew while the network was away.
 */
export function networkSwitch(connect: Connect, onPacket?: (event: PacketEvent) => void, onUp?: () => void): Network {
  let on = true;
  const open = new Set<Link>();

  class Link implements Transport {
    readonly #options: TransportOptions;
    #transport: Transport | undefined;
    #out: Decoder | undefined;
    #in: Decoder | undefined;
    #dead = false;

    constructor(options: TransportOptions) {
      this.#options = options;
      if (onPacket) {
        // Out: the client's packets (the CONNECT tells the version); in: the broker's, in that version.
        const tap = (dir: PacketEvent["dir"]) => ({
          poolSize: 0,
          onPacket: (packet: Packet) => {
            if (dir === "out" && packet.cmd === "connect" && this.#in) this.#in.protocolVersion = packet.protocolVersion ?? 4;
            onPacket({ dir, text: describePacket(packet) });
          },
          onError: (error: { message: string }) => onPacket({ dir, text: `(not MQTT: ${error.message})` }),
        });
        this.#out = new Decoder(tap("out"));
        this.#in = new Decoder(tap("in"));
      }
      if (!on) {
        queueMicrotask(() => this.fail(CUT));
        return;
      }
      open.add(this);
      const link = this;
      this.#transport = connect(
        sameTarget(options, {
          onConnect: () => !link.#dead && options.onConnect(),
          onReadable: () => !link.#dead && options.onReadable(),
          onWritable: () => !link.#dead && options.onWritable(),
          onError(reason) {
            if (link.#dead) return;
            link.#dead = true;
            open.delete(link);
            options.onError(reason);
          },
        }),
      );
    }

    /** Ends the connection as the network would: the device hears of it through onError. */
    fail(reason: string): void {
      if (this.#dead) return;
      this.#dead = true;
      open.delete(this);
      this.#transport?.close();
      this.#options.onError(reason);
    }

    read(): Uint8Array | undefined {
      const chunk = this.#transport?.read();
      if (chunk) this.#in?.feed(chunk);
      return chunk;
    }

    write(bytes: Uint8Array): boolean {
      if (this.#dead || !this.#transport) return false;
      this.#out?.feed(bytes);
      return this.#transport.write(bytes);
    }

    close(): void {
      this.#dead = true;
      open.delete(this);
      this.#transport?.close();
    }
  }

  return {
    connect: (options) => new Link(options),
    get on() {
      return on;
    },
    set(next) {
      const was = on;
      on = next;
      if (!next) for (const link of [...open]) link.fail(CUT);
      else if (!was) onUp?.();
    },
  };
}

const text = new TextDecoder();

/** A payload as the log shows it: its text, cut short, or its size when it is not text. */
function payloadOf(payload: Uint8Array | string): string {
  const shown = typeof payload === "string" ? payload : text.decode(payload.subarray(0, 80));
  if (shown.includes("\ufffd")) return `(${payload.length} bytes)`;
  return shown.length > 72 || payload.length > 80 ? `${shown.slice(0, 72)}…` : shown;
}

/** One line per packet, in the spec's words: `PUBLISH home/office/lamp/state q1 retain id=3 "on"`. */
export function describePacket(packet: Packet): string {
  const id = "messageId" in packet && packet.messageId !== undefined ? ` id=${packet.messageId}` : "";
  // Success says nothing; any other code is shown with its meaning.
  const reason = (code: number | undefined): string => (code ? ` rc=0x${code.toString(16).padStart(2, "0")} (${reasonSentence(code, 5)})` : "");
  switch (packet.cmd) {
    case "connect": {
      const will = packet.will ? ` will=${packet.will.topic}` : "";
      const version = packet.protocolVersion === 5 ? "5" : packet.protocolVersion === 3 ? "3.1" : "3.1.1";
      return `CONNECT MQTT ${version} client=${packet.clientId}${packet.clean ? " clean" : ""} keepalive=${packet.keepalive ?? 0}${will}`;
    }
    case "connack": {
      const code = packet.reasonCode ?? packet.returnCode ?? 0;
      const why = packet.returnCode !== undefined ? reasonSentence(code, 4, true) : reasonSentence(code, 5, true);
      const verdict = code === 0 ? "accepted" : `refused: rc=0x${code.toString(16).padStart(2, "0")} (${why})`;
      return `CONNACK ${verdict}${packet.sessionPresent ? ", session present" : ""}`;
    }
    case "publish": {
      const flags = `q${packet.qos ?? 0}${packet.retain ? " retain" : ""}${packet.dup ? " dup" : ""}`;
      return `PUBLISH ${packet.topic} ${flags}${id} ${payloadOf(packet.payload)}`;
    }
    case "subscribe":
      return `SUBSCRIBE${id} ${packet.subscriptions.map((s) => `${s.topic} q${s.qos}`).join(", ")}`;
    case "suback":
      return `SUBACK${id} [${packet.granted.join(", ")}]`;
    case "unsubscribe":
      return `UNSUBSCRIBE${id} ${packet.unsubscriptions.join(", ")}`;
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
    case "unsuback":
      return `${packet.cmd.toUpperCase()}${id}${"reasonCode" in packet ? reason(packet.reasonCode) : ""}`;
    case "disconnect":
      return `DISCONNECT${reason(packet.reasonCode)}`;
    default:
      return packet.cmd.toUpperCase();
  }
}
