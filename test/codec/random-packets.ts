// A seeded generator of random valid packets for every type and protocol version, within
// what both our codec and mqtt-packet accept (see the notes at each quirk).
import type { Packet, ProtocolVersion } from "../../src/mqtt/codec/index.js";
import { REASONS_BY_PACKET } from "../../src/mqtt/codec/index.js";

type Rand = () => number;

const CHARS = ["a", "b", "z", "/", "0", "9", "-", "_", " ", "$", "é", "€", "水", "😀", "\u007f", "\u0080", "\u07ff", "\u0800", "\uffff"];

export class RandomPackets {
  private readonly r: Rand;
  constructor(r: Rand) {
    this.r = r;
  }

  int(max: number): number {
    return Math.floor(this.r() * (max + 1));
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length - 1)];
  }

  text(maxChars: number, min = 0): string {
    let s = "";
    const n = min + this.int(maxChars - min);
    for (let i = 0; i < n; i++) s += this.pick(CHARS);
    return s;
  }
  topic(): string {
    return this.text(24, 1);
  }
  filter(): string {
    const parts = [];
    const n = 1 + this.int(4);
    for (let i = 0; i < n; i++) parts.push(this.chance(0.2) ? "+" : this.text(6));
    if (this.chance(0.3)) parts.push("#");
    return parts.join("/") || "a";
  }
  bytes(max: number): Uint8Array {
    const out = new Uint8Array(this.int(max));
    for (let i = 0; i < out.length; i++) out[i] = this.int(255);
    return out;
  }
  id(): number {
    return 1 + this.int(65534);
  }
  qos(): 0 | 1 | 2 {
    return this.int(2) as 0 | 1 | 2;
  }
  code(cmd: string): number {
    return this.pick(REASONS_BY_PACKET[cmd]);
  }

  userProperties(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    const n = 1 + this.int(2);
    for (let i = 0; i < n; i++) {
      // a one-element array decodes as a plain string, so repeats come in twos or more; values
      // are non-empty because mqtt-packet's parser drops an empty first value of a repeated name
      out[this.text(5)] = this.chance(0.3) ? [this.text(5, 1), this.text(5, 1)] : this.text(8, 1);
    }
    return out;
  }

  /** Properties for a packet: each allowed one present by chance; never an empty object. */
  props(kinds: Record<string, () => unknown>): Record<string, unknown> | undefined {
    if (this.chance(0.4)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [name, make] of Object.entries(kinds)) if (this.chance(0.35)) out[name] = make();
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private u16 = () => this.int(0xffff);
  private u16nz = () => 1 + this.int(0xfffe);
  private u32 = () => this.int(0xffffffff);
  private bool = () => this.chance(0.5);
  private str = () => this.text(10);
  private bin = () => this.bytes(8);
  private user = () => this.userProperties();
  private reasons = () => ({ reasonString: this.str, userProperties: this.user });

  packet(version: ProtocolVersion): { packet: Packet; version: ProtocolVersion } {
    const v5 = version === 5;
    const cmds = ["connect", "connack", "publish", "publish", "publish", "puback", "pubrec", "pubrel", "pubcomp",
      "subscribe", "suback", "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect"];
    if (v5) cmds.push("auth");
    const cmd = this.pick(cmds);
    switch (cmd) {
      case "connect": {
        const clean = this.chance(0.7);
        const p: Record<string, unknown> = {
          cmd, protocolId: version === 3 ? "MQIsdp" : "MQTT", protocolVersion: version, clean,
          keepalive: this.u16(),
          // mqtt-packet refuses an empty client id without clean (in every version); so do we in 3.1.1
          clientId: version === 3 || !clean ? this.text(10, 1) : this.text(10),
        };
        if (v5) {
          const props = this.props({
            sessionExpiryInterval: this.u32, receiveMaximum: this.u16nz, maximumPacketSize: () => 1 + this.int(0xfffffffe),
            topicAliasMaximum: this.u16, requestResponseInformation: this.bool, requestProblemInformation: this.bool,
            userProperties: this.user, authenticationMethod: this.str, authenticationData: this.bin,
          });
          if (props) p.properties = props;
        }
        if (this.chance(0.5)) {
          const will: Record<string, unknown> = { topic: this.topic(), payload: this.bytes(20), qos: this.qos(), retain: this.bool() };
          if (v5) {
            const props = this.props({
              willDelayInterval: this.u32, payloadFormatIndicator: this.bool, messageExpiryInterval: this.u32,
              contentType: this.str, responseTopic: this.topic.bind(this), correlationData: this.bin, userProperties: this.user,
            });
            if (props) will.properties = props;
          }
          p.will = will;
        }
        if (this.chance(0.5)) {
          p.username = this.text(10);
          // mqtt-packet needs a user name before a password, even in MQTT 5
          if (this.chance(0.5)) p.password = this.bytes(12);
        }
        return { packet: p as unknown as Packet, version };
      }
      case "connack": {
        const p: Record<string, unknown> = { cmd, sessionPresent: this.bool() };
        if (v5) {
          p.reasonCode = this.code("connack");
          const props = this.props({
            sessionExpiryInterval: this.u32, receiveMaximum: this.u16nz, maximumQoS: () => this.int(1),
            retainAvailable: this.bool, maximumPacketSize: () => 1 + this.int(0xfffffffe), assignedClientIdentifier: this.str,
            topicAliasMaximum: this.u16, reasonString: this.str, userProperties: this.user,
            wildcardSubscriptionAvailable: this.bool, subscriptionIdentifiersAvailable: this.bool,
            sharedSubscriptionAvailable: this.bool, serverKeepAlive: this.u16, responseInformation: this.str,
            serverReference: this.str, authenticationMethod: this.str, authenticationData: this.bin,
          });
          if (props) p.properties = props;
        } else {
          p.returnCode = this.int(5);
        }
        return { packet: p as unknown as Packet, version };
      }
      case "publish": {
        const qos = this.qos();
        const p: Record<string, unknown> = {
          cmd, qos, dup: qos > 0 && this.chance(0.3), retain: this.bool(), topic: this.topic(),
          payload: this.chance(0.1) ? this.bytes(400) : this.bytes(60),
        };
        if (qos > 0) p.messageId = this.id();
        if (v5) {
          const props = this.props({
            payloadFormatIndicator: this.bool, messageExpiryInterval: this.u32, topicAlias: this.u16nz,
            responseTopic: this.topic.bind(this), correlationData: this.bin, userProperties: this.user,
            subscriptionIdentifier: () => (this.chance(0.3) ? [1 + this.int(1000), 1 + this.int(268435454)] : 1 + this.int(268435454)),
            contentType: this.str,
          });
          if (props) {
            p.properties = props;
            if (props.topicAlias !== undefined && this.chance(0.3)) p.topic = "";
          }
        }
        return { packet: p as unknown as Packet, version };
      }
      case "puback":
      case "pubrec":
      case "pubrel":
      case "pubcomp": {
        const p: Record<string, unknown> = { cmd, messageId: this.id() };
        if (v5) {
          // mqtt-packet writes a missing reason code as a present 0x00, so one is always given
          p.reasonCode = this.chance(0.5) ? 0 : this.code(cmd);
          const props = this.props(this.reasons());
          if (props) p.properties = props;
        }
        return { packet: p as unknown as Packet, version };
      }
      case "subscribe": {
        const subs = [];
        const n = 1 + this.int(3);
        for (let i = 0; i < n; i++) {
          const s: Record<string, unknown> = { topic: this.filter(), qos: this.qos() };
          if (v5) {
            s.nl = this.bool();
            s.rap = this.bool();
            s.rh = this.int(2);
          }
          subs.push(s);
        }
        const p: Record<string, unknown> = { cmd, messageId: this.id(), subscriptions: subs };
        if (v5) {
          const props = this.props({ subscriptionIdentifier: () => 1 + this.int(268435454), userProperties: this.user });
          if (props) p.properties = props;
        }
        return { packet: p as unknown as Packet, version };
      }
      case "suback": {
        const granted = [];
        const n = 1 + this.int(4);
        for (let i = 0; i < n; i++) granted.push(v5 ? this.code("suback") : this.pick([0, 1, 2, 0x80]));
        const p: Record<string, unknown> = { cmd, messageId: this.id(), granted };
        if (v5) {
          const props = this.props(this.reasons());
          if (props) p.properties = props;
        }
        return { packet: p as unknown as Packet, version };
      }
      case "unsubscribe": {
        const filters = [];
        const n = 1 + this.int(3);
        for (let i = 0; i < n; i++) filters.push(this.filter());
        const p: Record<string, unknown> = { cmd, messageId: this.id(), unsubscriptions: filters };
        if (v5) {
          const props = this.props({ userProperties: this.user });
          if (props) p.properties = props;
        }
        return { packet: p as unknown as Packet, version };
      }
      case "unsuback": {
        const p: Record<string, unknown> = { cmd, messageId: this.id() };
        if (v5) {
          const granted = [];
          const n = 1 + this.int(3);
          for (let i = 0; i < n; i++) granted.push(this.code("unsuback"));
          p.granted = granted;
          const props = this.props(this.reasons());
          if (props) p.properties = props;
        }
        return { packet: p as unknown as Packet, version };
      }
      case "disconnect": {
        const p: Record<string, unknown> = { cmd };
        if (v5) {
          p.reasonCode = this.code("disconnect");
          const props = this.props({ sessionExpiryInterval: this.u32, reasonString: this.str, userProperties: this.user, serverReference: this.str });
          if (props) p.properties = props;
        }
        return { packet: p as unknown as Packet, version };
      }
      case "auth": {
        const p: Record<string, unknown> = { cmd, reasonCode: this.code("auth") };
        const props = this.props({ authenticationMethod: this.str, authenticationData: this.bin, reasonString: this.str, userProperties: this.user });
        if (props) p.properties = props;
        return { packet: p as unknown as Packet, version };
      }
      default:
        return { packet: { cmd } as Packet, version };
    }
  }
}
