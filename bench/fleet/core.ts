// The fleet run: N devices (the real firmware, each with its own id, prefix, store and sensor) on
// one engine against one broker. Phases: connect (time until all N online), steady (messages/s at a
// subscriber, command-to-pin latency of sampled lamp commands), then with its own Mosquitto two
// reconnect storms with the same kill/down/restart timing, first with the firmware's jittered
// backoff, then with jitter off (every retry after the backoff's minimum, as most firmware does).
// Every wait is bounded. Connection attempts are counted where the devices open their connections.
import mqtt, { type MqttClient } from "mqtt";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { cpus, hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { findMosquitto, startMosquitto, type Mosquitto } from "../../test/support/mosquitto.js";
import type { FleetOptions } from "./args.js";
import type { Engine, FleetDevice, FleetHooks } from "./engine.js";
import { countBetween, markdownTable, millis, peakPerWindow, percentile, seconds } from "./stats.js";

const POLL_MS = 20;
const SETTLE_MS = 1500;
/** Timestamps kept (attempts, devices coming online): a bound, far above what a run makes. */
const MAX_EVENTS = 2_000_000;

export type EngineFactory = (hooks: FleetHooks, fail: (error: Error) => void) => Engine;

interface Storm {
  jitter: boolean;
  ok: boolean;
  offline: number;
  brokerStartMs: number;
  backMs: number;
  /** Restart until half the devices were back. */
  halfMs: number;
  attempts: number;
  peak: number;
  peakAfterRestart: number;
  peakOnline: number;
  /** Wall-clock ms (Date.now()) of the restart and of the moment all were back: the broker log's window. */
  restartEpoch: number;
  backEpoch: number;
  /** From the broker's own log, once it stopped: CONNECTs it accepted in that window, total and busiest clock second. */
  brokerConnects?: number;
  brokerPeak?: number;
}

/** Epoch seconds of each device the broker's log says connected ("<epoch>: New client connected from ... as <id> ..."); the monitor is left out. */
function brokerConnectTimes(logFile: string, tag: string): number[] {
  let text = "";
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return [];
  }
  const times: number[] = [];
  for (const match of text.matchAll(/^(\d+): New client connected from \S+ as (\S+)/gm)) {
    if (new RegExp(`^f${tag}-\\d+$`).test(match[2])) times.push(Number(match[1]));
  }
  return times;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The open-file limit this process (and the Mosquitto it starts) runs under. */
function fileLimit(): number | undefined {
  const result = spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" });
  const n = Number(result.stdout.trim());
  return result.status === 0 && Number.isFinite(n) ? n : result.stdout.trim() === "unlimited" ? Infinity : undefined;
}

function mosquittoVersion(): string {
  try {
    const out = spawnSync(findMosquitto(), ["-h"], { encoding: "utf8" });
    return /mosquitto version (\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? "?";
  } catch {
    return "?";
  }
}

/** Runs the fleet; prints the live lines and the final tables; resolves with the exit code. */
export async function runFleet(options: FleetOptions, makeEngine: EngineFactory, print: (line: string) => void = console.log): Promise<number> {
  const n = options.devices;
  const perDeviceFds = options.engine === "xs" ? 6 : 1;
  const limit = fileLimit();
  if (limit !== undefined && limit < n * perDeviceFds + 64) {
    print(`The open-file limit (ulimit -n) is ${limit}: too low for ${n} devices on the ${options.engine} engine (about ${n * perDeviceFds + 64} needed here, and as many for the broker). Raise it (ulimit -n ${Math.max(4096, n * perDeviceFds * 2)}) or run fewer devices.`);
    return 2;
  }

  const tag = Date.now().toString(36).slice(-4);
  const root = `fleet/${tag}`;
  const origin = performance.now();
  const now = (): number => performance.now();

  let failure: Error | undefined;
  const attempts: number[] = [];
  const cameOnline: number[] = [];
  const pending = new Map<number, number>();
  const latencies: number[] = [];
  const hooks: FleetHooks = {
    attempt: () => void (attempts.length < MAX_EVENTS && attempts.push(now())),
    lamp: (index, t) => {
      const sent = pending.get(index);
      if (sent === undefined) return;
      pending.delete(index);
      latencies.push(t - sent);
    },
  };
  const engine = makeEngine(hooks, (error) => (failure ??= error));

  let broker: Mosquitto | undefined;
  let url = options.broker;
  let monitor: MqttClient | undefined;
  const devices: FleetDevice[] = [];
  const online: boolean[] = [];
  let onlineCount = 0;
  let messages = 0;
  let readings = 0;
  let phase = "start";
  let poll: ReturnType<typeof setInterval> | undefined;
  let live: ReturnType<typeof setInterval> | undefined;
  let code = 0;

  const check = (): void => {
    if (failure) throw failure;
  };
  const update = (): void => {
    for (let i = 0; i < devices.length; i++) {
      const up = devices[i].online();
      if (up === online[i]) continue;
      online[i] = up;
      onlineCount += up ? 1 : -1;
      if (up && cameOnline.length < MAX_EVENTS) cameOnline.push(now());
    }
  };
  /** Waits until `condition` holds (polled), or `ms` passed: false then. */
  const until = async (condition: () => boolean, ms: number): Promise<boolean> => {
    const deadline = now() + ms;
    for (;;) {
      check();
      update();
      if (condition()) return true;
      if (now() > deadline) return false;
      await sleep(POLL_MS);
    }
  };
  const offlineReport = (): string => {
    const down = devices.map((_, i) => i).filter((i) => !online[i]);
    const sample = down.slice(0, 3).map((i) => `  device ${i}: ${engine.log(i).slice(-3).join(" | ") || "(no log)"}`);
    return [`${down.length} of ${n} devices not online (first: ${down.slice(0, 10).join(", ")}).`, ...sample].join("\n");
  };

  const mainRows: string[][] = [];
  const storms: Storm[] = [];
  let stormNote: string | undefined;
  let memoryRows: Array<[string, string]> = [];
  let logDir: string | undefined;
  // Ctrl-C or a kill: exit through process.exit, whose handler (test/support/mosquitto.ts) kills our broker.
  const interrupted = (): void => {
    print(`interrupted during ${phase}`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    if (!url) {
      // Its log also goes to a file of ours, so each CONNECT it accepted can be counted at the broker.
      logDir = mkdtempSync(join(tmpdir(), "fleet-"));
      broker = await startMosquitto({ config: ["max_connections -1", `log_dest file ${join(logDir, "broker.log")}`] });
      url = broker.url;
    }
    print(`fleet: ${n} devices on the ${options.engine} engine against ${url}${broker ? ` (own Mosquitto ${mosquittoVersion()}, loopback)` : ""}; open-file limit ${limit ?? "unknown"}`);
    try {
      monitor = await mqtt.connectAsync(url, { clientId: `f${tag}-monitor`, reconnectPeriod: 500, protocolVersion: 4, connectTimeout: 10_000 });
    } catch (error) {
      print(`FAIL: cannot reach the broker at ${url}: ${(error as Error).message}`);
      code = 1;
      return code;
    }
    monitor.on("message", (topic) => {
      if (topic.endsWith("/lamp")) return; // our own commands
      messages++;
      if (topic.endsWith("/temperature")) readings++;
    });
    await monitor.subscribeAsync(`${root}/#`, { qos: 0 });

    let lastMessages = 0;
    let lastAttempts = 0;
    live = setInterval(() => {
      update();
      const m = messages - lastMessages;
      const a = attempts.length - lastAttempts;
      lastMessages = messages;
      lastAttempts = attempts.length;
      print(`[${((now() - origin) / 1000).toFixed(0).padStart(4)} s] ${phase.padEnd(16)} online ${String(onlineCount).padStart(String(n).length)}/${n}  msgs/s ${String(m).padStart(6)}  attempts/s ${String(a).padStart(6)}`);
    }, 1000);

    // ---- connect ----
    await engine.baseline();
    phase = "connect";
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const id = `f${tag}-${i}`;
      devices.push(
        await engine.start(i, {
          broker: url,
          deviceId: id,
          prefix: `${root}/${i}`,
          discovery: false,
          keepalive: 60,
          healthPeriod: 60_000,
          // Sampled four times per report period, so reports come close to every period.
          sensorSamplePeriod: Math.max(10, Math.round(options.reportMs / 4)),
          sensorReportPeriod: options.reportMs,
        }),
      );
      online.push(false);
      if (options.stagger > 0) await sleep(options.stagger);
      check();
    }
    const started = now() - t0;
    if (!poll) poll = setInterval(update, POLL_MS);
    const allOnline = await until(() => onlineCount === n, options.timeout * 1000);
    if (!allOnline) {
      print(`FAIL: not all devices came online within ${options.timeout} s after the last one started.\n${offlineReport()}`);
      code = 1;
      return code;
    }
    const connectMs = now() - t0;
    const connectAttempts = attempts.length;
    mainRows.push(
      ["devices", `${n} (${options.engine} engine, ${options.engine === "node" ? "one process" : "one xsnap process each"})`],
      ["started", options.stagger > 0 ? `one every ${options.stagger} ms (${seconds(started)} to start all)` : `all at once (${seconds(started)} to start all)`],
      ["all N online after (from the first start)", seconds(connectMs)],
      ["connection attempts until then", String(connectAttempts)],
    );

    // ---- memory, once settled ----
    phase = "settle";
    await sleep(SETTLE_MS);
    memoryRows = await engine.memory();

    // ---- steady: readings flow, lamp commands sampled ----
    phase = "steady";
    const steadyMs = options.duration * 1000;
    const every = options.commands > 0 ? Math.max(5, steadyMs / options.commands) : Infinity;
    messages = 0;
    readings = 0;
    lastMessages = 0;
    let sent = 0;
    const s0 = now();
    let nextCommand = s0;
    while (now() - s0 < steadyMs) {
      check();
      if (sent < options.commands && now() >= nextCommand) {
        nextCommand += every;
        // A device with no command under way, so a pin change answers exactly one command.
        let index = Math.floor(Math.random() * n);
        for (let tries = 0; pending.has(index) && tries < n; tries++) index = (index + 1) % n;
        if (!pending.has(index)) {
          pending.set(index, now());
          monitor.publish(`${root}/${index}/lamp`, "toggle", { qos: 0 });
          sent++;
        }
      }
      await sleep(Math.max(1, Math.min(50, nextCommand - now())));
    }
    const steadySeconds = (now() - s0) / 1000;
    const steadyMessages = messages;
    const steadyReadings = readings;
    await until(() => pending.size === 0, 3000);
    const steadyOk = onlineCount === n;
    mainRows.push(
      ["steady phase", `${steadySeconds.toFixed(1)} s, each device reporting its sensor every ${options.reportMs} ms (QoS 1)`],
      ["messages/s at a subscriber (every device topic)", (steadyMessages / steadySeconds).toFixed(0)],
      ["  of which sensor readings/s", (steadyReadings / steadySeconds).toFixed(0)],
      [`command-to-pin latency p50 / p99 (${latencies.length} of ${sent} toggles at QoS 0 answered)`, `${millis(percentile(latencies, 0.5))} / ${millis(percentile(latencies, 0.99))}`],
      ["devices online at the end of the steady phase", `${onlineCount} / ${n}${steadyOk ? "" : " (some dropped)"}`],
    );
    pending.clear();

    // ---- reconnect storms ----
    if (!options.storm) stormNote = "Storm phase skipped (--no-storm).";
    else if (!broker) stormNote = `Storm phase skipped: the broker (${url}) is not this tool's own, so it cannot kill and restart it. Run without --broker for it.`;
    else {
      for (const jitter of [true, false]) {
        engine.jitter = jitter;
        phase = `storm jitter ${jitter ? "on" : "off"}`;
        const kill = now();
        await broker.kill();
        await until(() => onlineCount === 0, Math.max(500, options.down * 1000));
        const offline = n - onlineCount;
        await sleep(Math.max(0, kill + options.down * 1000 - now()));
        const restart = now();
        const restartEpoch = Date.now();
        await broker.restart();
        const brokerStartMs = now() - restart;
        const ok = await until(() => onlineCount === n, options.timeout * 1000);
        const back = now();
        storms.push({
          jitter,
          ok,
          offline,
          brokerStartMs,
          backMs: back - restart,
          halfMs: (cameOnline.filter((t) => t >= restart).sort((a, b) => a - b)[Math.ceil(n / 2) - 1] ?? Number.NaN) - restart,
          attempts: countBetween(attempts, kill, back),
          peak: peakPerWindow(attempts, kill, back),
          peakAfterRestart: peakPerWindow(attempts, restart, back),
          peakOnline: peakPerWindow(cameOnline, restart, back),
          restartEpoch,
          backEpoch: Date.now(),
        });
        if (!ok) {
          print(`FAIL: not all devices came back within ${options.timeout} s of the broker restart (jitter ${jitter ? "on" : "off"}).\n${offlineReport()}`);
          code = 1;
          break;
        }
        phase = "settle";
        await sleep(SETTLE_MS);
      }
    }
  } finally {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    clearInterval(live);
    clearInterval(poll);
    phase = "stop";
    const stopping = engine.stop();
    const late = sleep(10_000).then(() => print("(the devices did not all stop within 10 s; going on)"));
    await Promise.race([stopping, late]);
    await monitor?.endAsync(true).catch(() => undefined);
    await broker?.stop();
  }
  if (logDir) {
    const connects = brokerConnectTimes(join(logDir, "broker.log"), tag);
    for (const storm of storms) {
      // Whole seconds, as the log stamps them: the window is widened to the seconds it touches.
      const from = Math.floor(storm.restartEpoch / 1000);
      const to = Math.floor(storm.backEpoch / 1000);
      const counts = new Map<number, number>();
      for (const t of connects) if (t >= from && t <= to) counts.set(t, (counts.get(t) ?? 0) + 1);
      storm.brokerConnects = [...counts.values()].reduce((sum, c) => sum + c, 0);
      storm.brokerPeak = Math.max(0, ...counts.values());
    }
    rmSync(logDir, { recursive: true, force: true });
  }

  const cpu = cpus();
  print("");
  print(`Fleet, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${hostname()}: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "?"}), Node ${process.version}, broker ${broker ? `Mosquitto ${mosquittoVersion()} (own, loopback)` : url}`);
  print("");
  print(markdownTable(["figure", "value"], [...mainRows, ...memoryRows]));
  print("");
  if (storms.length > 0) {
    const cell = (f: (s: Storm) => string): string[] => storms.map((s) => (s.ok ? f(s) : `not all back (${f(s)})`));
    print(
      markdownTable(
        [`reconnect storm: broker SIGKILLed, down ${options.down} s, restarted; ${n} devices`, "jitter on (firmware backoff)", "jitter off (fixed 0.5 s)"].slice(0, 1 + storms.length),
        [
          ["devices that saw the link drop", ...storms.map((s) => String(s.offline))],
          ["broker restart until it accepts", ...storms.map((s) => seconds(s.brokerStartMs))],
          ["half of N online again, after the restart", ...storms.map((s) => seconds(s.halfMs))],
          ["all N online again, after the restart", ...cell((s) => seconds(s.backMs))],
          ["connection attempts, kill to all online", ...storms.map((s) => String(s.attempts))],
          ["peak connection attempts/s (busiest 1 s)", ...storms.map((s) => String(s.peak))],
          ["peak attempts/s after the restart (at the live broker)", ...storms.map((s) => String(s.peakAfterRestart))],
          ["peak devices back online/s (CONNACKs)", ...storms.map((s) => String(s.peakOnline))],
          ["CONNECTs the broker logged, restart to all back", ...storms.map((s) => String(s.brokerConnects ?? "n/a"))],
          ["peak CONNECTs/s in the broker's log (per clock second)", ...storms.map((s) => String(s.brokerPeak ?? "n/a"))],
        ],
      ),
    );
    print("");
    print("Attempts are counted where the devices open their TCP connections (while the broker is down each is refused at once); CONNECTs are counted in the broker's own log, stamped in whole seconds. Jitter on runs first; jitter off is the same devices with random() = 0 in their backoff.");
  } else if (stormNote) print(stormNote);
  return code;
}
