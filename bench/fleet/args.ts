// The fleet tool's flags: `npm run fleet -- --devices N [--broker URL] [--engine node|xs] [--duration S] ...`.

export interface FleetOptions {
  devices: number;
  /** An external broker; undefined: the tool starts its own Mosquitto (and can kill and restart it). */
  broker: string | undefined;
  engine: "node" | "xs";
  /** Steady phase, seconds. */
  duration: number;
  /** Lamp commands sampled for command-to-pin latency. */
  commands: number;
  /** How long the broker stays down in each storm, seconds. */
  down: number;
  /** Ms between device starts (0: all at once). */
  stagger: number;
  /** Sensor report period of every device, ms (its readings are the steady load). */
  reportMs: number;
  /** How long to wait for all devices to come online (at start and after each restart), seconds. */
  timeout: number;
  /** Skip the kill/restart phase. */
  storm: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run fleet -- [options]
  --devices N      simulated devices, each the real firmware with its own id, prefix, store, sensor (default 100)
  --broker URL     an external broker (the storm phase is skipped: the tool cannot restart it);
                   default: a Mosquitto of its own on a free loopback port
  --engine E       node (all devices in this process) or xs (one xsnap machine per device) (default node)
  --duration S     steady phase, seconds (default 20)
  --commands C     lamp commands sampled for command-to-pin latency (default 200)
  --down S         broker down time in each reconnect storm, seconds (default 5)
  --stagger MS     ms between device starts, 0: all at once (default 0)
  --report-ms MS   each device's sensor report period (default 1000)
  --timeout S      wait for all devices online, at start and after each restart (default 60)
  --no-storm       skip the broker kill + restart phase`;

export function parseFleetArgs(argv: readonly string[]): { ok: true; options: FleetOptions } | { ok: false; error: string } {
  const options: FleetOptions = {
    devices: 100,
    broker: undefined,
    engine: "node",
    duration: 20,
    commands: 200,
    down: 5,
    stagger: 0,
    reportMs: 1000,
    timeout: 60,
    storm: true,
    help: false,
  };
  const numbers: Record<string, [keyof FleetOptions, number, number]> = {
    "--devices": ["devices", 1, 100_000],
    "--duration": ["duration", 1, 3600],
    "--commands": ["commands", 0, 1_000_000],
    "--down": ["down", 0, 600],
    "--stagger": ["stagger", 0, 60_000],
    "--report-ms": ["reportMs", 10, 86_400_000],
    "--timeout": ["timeout", 1, 3600],
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === "--help" || flag === "-h") options.help = true;
    else if (flag === "--no-storm") options.storm = false;
    else if (flag === "--broker") {
      const url = value();
      if (!url || !/^(mqtt|mqtts|ws|wss):\/\//.test(url)) return { ok: false, error: "--broker wants a URL such as mqtt://127.0.0.1:1883" };
      options.broker = url;
    } else if (flag === "--engine") {
      const engine = value();
      if (engine !== "node" && engine !== "xs") return { ok: false, error: "--engine is node or xs" };
      options.engine = engine;
    } else if (flag in numbers) {
      const [key, min, max] = numbers[flag];
      const text = value();
      const n = Number(text);
      if (text === undefined || !Number.isFinite(n) || n < min || n > max) return { ok: false, error: `${flag} wants a number from ${min} to ${max}` };
      (options as unknown as Record<string, number>)[key] = key === "duration" || key === "down" ? n : Math.round(n);
    } else return { ok: false, error: `unknown flag ${argv[i]}` };
  }
  return { ok: true, options };
}
