// What the fleet core needs from an engine (node: the firmware's apps in this process; xs: one
// xsnap machine per device), and what an engine hears from it.

export interface FleetHooks {
  /** Device `index` opened a connection to the broker: one connection attempt. */
  attempt(index: number): void;
  /** Device `index`'s lamp pin changed level at `t` (performance.now() of this process). */
  lamp(index: number, t: number): void;
}

export interface FleetDevice {
  /** CONNACK received and the link up. */
  online(): boolean;
}

export interface Engine {
  readonly name: "node" | "xs";
  /** On: retries drawn by the firmware's Backoff with Math.random (full jitter). Off: random() is 0, so every retry waits exactly the backoff's minimum, as most firmware does. */
  jitter: boolean;
  /** Called once before any device starts: the memory baseline. */
  baseline(): Promise<void>;
  /** Starts the firmware of device `index` with this raw config. */
  start(index: number, config: Readonly<Record<string, unknown>>): Promise<FleetDevice>;
  /** Memory rows (label, value) once every device is online. */
  memory(): Promise<Array<[string, string]>>;
  /** The last lines device `index` logged. */
  log(index: number): string[];
  /** Stops every device (offline, DISCONNECT) and frees what the engine holds. */
  stop(): Promise<void>;
}
