// What the simulator prints first, on either engine: where the device is, how to talk to it, and
// where it keeps its state (a directory per device id, so a restart resumes the outbox and lamp).
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../src/config.js";
import { DEVICES } from "../src/devices.js";
import type { SimulatorOptions } from "./args.js";

export function defaultStoreDir(deviceId: string): string {
  return join(tmpdir(), "xs-mqtt-device-sim", deviceId);
}

export function banner(
  config: Config,
  options: SimulatorOptions,
  storeDir: string,
  embedded: boolean,
  engine: "node" | "xs",
  panelUrl: string | undefined,
): string {
  // With several brokers, the try-lines name the first.
  const url = new URL(config.broker.split(",")[0].trim());
  const target = `-h ${url.hostname} -p ${url.port || (url.protocol === "mqtts:" ? 8883 : 1883)}`;
  const where = engine === "xs" ? `XS engine (xsnap), ${options.stack ?? 384}-slot stack` : "Node engine";
  // A try-line for each device of the table that takes a command (mosquitto_pub speaks no WebSocket).
  const web = url.protocol === "ws:" || url.protocol === "wss:";
  const tries = (web ? [] : DEVICES).filter((line) => line.kind.example !== undefined).map(
    (line) => `mosquitto_pub ${target} -t ${config.prefix}/${line.topic ?? line.name} -m ${line.kind.example}`,
  );
  if (!web) tries.push(`mosquitto_sub ${target} -t '${config.prefix}/#' -v`);
  return [
    ...(panelUrl ? [`panel: ${panelUrl}  (the board and an MQTT client, in your browser)`] : []),
    `xs-mqtt-device simulator: device "${config.deviceId}" on ${config.broker}${embedded ? " (embedded Aedes broker)" : ""}, ${where}`,
    ...tries.map((line, i) => `${i === 0 ? "  try:  " : "        "}${line}`),
    `  store: ${storeDir}   clock: ${options.clock}`,
    `  type "input NAME VALUE" (millivolts for an analog input), "press NAME [MS]", Ctrl-C to stop`,
    "",
  ].join("\n");
}
