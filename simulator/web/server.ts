// The simulator's panel: an HTTP server on 127.0.0.1 serving the page (bundled from page/ with
// esbuild when the simulator starts), a WebSocket of panel events and switches (/events), and MQTT
// over WebSocket for the page's own client (/mqtt): handed to the embedded Aedes broker, or bridged
// to an external broker, which may have no WebSocket listener (Debian's Mosquitto has none).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type net from "node:net";
import { build } from "esbuild";
import { type WebSocket, WebSocketServer } from "ws";
import type { Config } from "../../src/config.js";
import { DEVICES } from "../../src/devices.js";
import type { Clock, Timers } from "../../src/host.js";
import type { VirtualPins } from "../../hosts/node/pins.js";
import { parseCommand } from "../commands.js";
import type { EmbeddedBroker } from "../embedded-broker.js";
import { driveInput } from "../inputs.js";
import type { Network, PacketEvent } from "../network.js";
import type { Panel, PanelEvent } from "../panel.js";
import { bridge } from "./bridge.js";
import type { DeviceCard, PinView, ToPage } from "./protocol.js";
import { listenLoopback } from "../loopback.js";

export interface PanelDevice {
  engine: "node" | "xs";
  config: Config;
  pins: VirtualPins;
  clock: Clock;
  timers: Timers;
  network: Network;
  /** The embedded broker, when the simulator runs one: the panel gets its "broker down" switch. */
  broker: EmbeddedBroker | undefined;
  /** The device's MQTT client's stats(), as JSON-able numbers. */
  stats(): Promise<Record<string, number | boolean | string>>;
  /** PEM CA for an external mqtts:// broker the bridge connects to. */
  ca: string | undefined;
}

export interface PanelServer {
  readonly url: string;
  /** Takes the simulator's panel events (the terminal panel's, teed). */
  readonly panel: Panel;
  /** Takes the device's packets (the network tap). */
  packet(event: PacketEvent): void;
  close(): Promise<void>;
}

/** Events kept for a page that opens later: the log's tail, so it is never empty. */
const BACKLOG = 400;
const STATS_EVERY_MS = 250;
/** The page's sources, from the repository's root (where npm start runs). */
const PAGE_DIR = resolve("simulator", "web", "page");

async function assets(): Promise<Map<string, { type: string; body: string | Uint8Array }>> {
  const result = await build({
    entryPoints: [join(PAGE_DIR, "main.ts")],
    bundle: true,
    write: false,
    format: "esm",
    target: "es2022",
    platform: "browser",
    minify: false,
    sourcemap: "inline",
    logLevel: "warning",
  });
  const read = (name: string): string => readFileSync(join(PAGE_DIR, name), "utf8");
  return new Map([
    ["/", { type: "text/html; charset=utf-8", body: read("index.html") }],
    ["/panel.css", { type: "text/css; charset=utf-8", body: read("panel.css") }],
    ["/panel.js", { type: "text/javascript; charset=utf-8", body: result.outputFiles[0].contents }],
  ]);
}

export async function startPanelServer(device: PanelDevice, options: { port?: number } = {}): Promise<PanelServer> {
  const files = await assets();
  const { config, pins } = device;
  const origin = device.clock.now();
  const backlog: ToPage[] = [];
  const pages = new Set<WebSocket>();
  let linkUp = false;
  let lastStats = "";

  const send = (message: ToPage, keep = true): void => {
    if (keep) {
      backlog.push(message);
      if (backlog.length > BACKLOG) backlog.shift();
    }
    const text = JSON.stringify(message);
    for (const page of pages) page.send(text);
  };
  const cards = (): DeviceCard[] =>
    DEVICES.map((line) => ({ name: line.name, topic: `${config.prefix}/${line.topic ?? line.name}`, example: line.kind.example }));
  const pinViews = (): PinView[] =>
    pins.all().map((pin) =>
      pin.kind === "output"
        ? { name: pin.name, kind: pin.kind, pin: pin.pin, value: pin.value, history: pin.history.slice(-64) }
        : pin.kind === "input"
          ? { name: pin.name, kind: pin.kind, pin: pin.pin, value: pin.read() as 0 | 1, resting: pin.resting }
          : { name: pin.name, kind: pin.kind, pin: pin.pin },
    );
  const state = (): ToPage => ({
    type: "state",
    network: device.network.on,
    brokerUp: device.broker ? device.broker.up : undefined,
    connected: linkUp,
  });
  pins.onOpen(() => send({ type: "pins", pins: pinViews() }, false));

  const http = createServer((request: IncomingMessage, response: ServerResponse) => {
    const file = files.get((request.url ?? "/").split("?")[0]);
    if (!file || request.method !== "GET") {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body);
  });
  const events = new WebSocketServer({ noServer: true });
  const mqtt = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : false) });
  http.on("upgrade", (request, socket, head) => {
    const path = (request.url ?? "").split("?")[0];
    const server = path === "/events" ? events : path === "/mqtt" ? mqtt : undefined;
    if (!server) {
      socket.destroy();
      return;
    }
    server.handleUpgrade(request, socket, head, (ws) => server.emit("connection", ws, request));
  });

  const apply = async (text: string): Promise<void> => {
    const say = (line: string): void => send({ type: "log", t: device.clock.now(), line });
    let message: { type?: unknown; on?: unknown; up?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return say(`panel: not JSON: ${text.slice(0, 60)}`);
    }
    if (message.type === "network" && typeof message.on === "boolean") {
      device.network.set(message.on);
      say(`panel: network ${message.on ? "on" : "off"}`);
    } else if (message.type === "broker" && typeof message.up === "boolean") {
      if (!device.broker) return say("panel: the broker is external; only the embedded one can be switched");
      await device.broker.setUp(message.up).catch((error: Error) => say(`panel: ${error.message}`));
      say(`panel: embedded broker ${device.broker.up ? "up" : "down"}`);
    } else {
      const parsed = parseCommand(text);
      if (!parsed.ok) return say(`panel: ${parsed.error}`);
      const command = parsed.command;
      if (command?.type !== "input" && command?.type !== "press") return say(`panel: only inputs, presses and the switches are taken here`);
      const problem = driveInput(pins, device.timers, command);
      if (problem) say(`panel: ${problem}`);
      else if (command.type === "input") send({ type: "pins", pins: pinViews() }, false);
    }
    const now = JSON.stringify(state());
    for (const page of pages) page.send(now);
  };

  events.on("connection", (page: WebSocket) => {
    pages.add(page);
    page.on("close", () => pages.delete(page));
    page.on("message", (data: Buffer) => void apply(data.toString("utf8")));
    page.send(
      JSON.stringify({
        type: "hello",
        deviceId: config.deviceId,
        prefix: config.prefix,
        broker: config.broker,
        engine: device.engine,
        embedded: device.broker !== undefined,
        origin,
        now: device.clock.now(),
        devices: cards(),
        pins: pinViews(),
      } satisfies ToPage),
    );
    page.send(JSON.stringify(state()));
    if (lastStats) page.send(lastStats);
    for (const message of backlog) page.send(JSON.stringify(message));
  });
  mqtt.on("connection", (socket: WebSocket) => {
    if (device.broker) device.broker.handleWebSocket(socket);
    // The page's client talks to the first of several brokers.
    else bridge(socket, config.broker.split(",")[0].trim(), device.ca);
  });

  const port = options.port ?? 8080;
  if (!(await listenLoopback(http, port)) && (options.port !== undefined || !(await listenLoopback(http, 0)))) {
    throw new Error(`the panel could not listen on 127.0.0.1:${port} (--panel-port)`);
  }
  const address = http.address() as net.AddressInfo;

  let polling = false;
  const poll = setInterval(() => {
    if (polling || pages.size === 0) return;
    polling = true;
    device
      .stats()
      .then((stats) => {
        const text = JSON.stringify({ type: "stats", stats } satisfies ToPage);
        if (text !== lastStats) {
          lastStats = text;
          for (const page of pages) page.send(text);
        }
      })
      .catch(() => undefined)
      .finally(() => (polling = false));
  }, STATS_EVERY_MS);

  const panel: Panel = (event: PanelEvent) => {
    const t = device.clock.now();
    switch (event.type) {
      case "connected":
      case "disconnected":
        linkUp = event.type === "connected";
        send(event.type === "connected" ? { type: "link", t, connected: true } : { type: "link", t, connected: false, reason: event.reason });
        return;
      case "pin":
      case "input":
        return send({ type: event.type, t: event.t, name: event.name, value: event.value });
      case "reading":
        return send({ type: "reading", t: event.t, name: event.name, value: event.value }, false);
      case "log":
        return send({ type: "log", t, line: event.line });
      case "error":
        return send({ type: "log", t, line: `error: ${event.message}` });
      case "ready":
        return send({ type: "log", t, line: "device started" });
    }
  };

  return {
    url: `http://127.0.0.1:${address.port}/`,
    panel,
    packet: (event) => send({ type: "packet", t: device.clock.now(), dir: event.dir, text: event.text }),
    close: async () => {
      clearInterval(poll);
      for (const page of pages) page.terminate();
      for (const client of mqtt.clients) client.terminate();
      events.close();
      mqtt.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
