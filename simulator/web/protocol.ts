// What the panel's server says to its page over /events, one JSON object per WebSocket message.
// The page answers with the simulator's stdin commands as JSON ({"type":"input",...},
// {"type":"press",...}, simulator/commands.ts) and two switches: {"type":"network","on":false},
// {"type":"broker","up":false}. Times are the device clock's ms; `origin` is its start.

/** One line of the device table, as the page draws it. */
export interface DeviceCard {
  name: string;
  topic: string;
  /** A command it takes, when it takes one (`on`, `ring`). */
  example: string | undefined;
}

export type PinView =
  | { name: string; kind: "output"; pin: number; value: 0 | 1; history: { t: number; value: 0 | 1 }[] }
  | { name: string; kind: "input"; pin: number; value: 0 | 1; resting: 0 | 1 }
  | { name: string; kind: "analog"; pin: number };

export type ToPage =
  | {
      type: "hello";
      deviceId: string;
      prefix: string;
      broker: string;
      engine: "node" | "xs";
      /** An embedded broker: the page shows its switch. */
      embedded: boolean;
      origin: number;
      now: number;
      devices: DeviceCard[];
      pins: PinView[];
    }
  /** The pins the device has opened, whenever that changes. */
  | { type: "pins"; pins: PinView[] }
  | { type: "state"; network: boolean; brokerUp: boolean | undefined; connected: boolean }
  | { type: "link"; t: number; connected: true }
  | { type: "link"; t: number; connected: false; reason: string }
  | { type: "pin" | "input"; t: number; name: string; value: 0 | 1 }
  /** An analog input read by the device: millivolts, or undefined when unreadable. */
  | { type: "reading"; t: number; name: string; value: number | undefined }
  | { type: "log"; t: number; line: string }
  | { type: "packet"; t: number; dir: "in" | "out"; text: string }
  /** The device's MQTT client (stats()): outbox, counts, drops. */
  | { type: "stats"; stats: Record<string, number | boolean | string> };
