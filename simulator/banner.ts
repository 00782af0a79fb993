// What the simulator prints first, on either engine: where the device is, how to talk to it, and
// where it keeps its state (a directory per device id, so a restart resumes the outbox and lamp).
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../src/config.js";
import type { SimulatorOptions } from "./args.js";

export function defaultStoreDir(deviceId: string): string {
  return join(tmpdir(), "xs-mqtt-device-sim", deviceId);
}

export function banner(config: Config, options: SimulatorOptions, storeDir: string, embedded: boolean, engine: "node" | "xs"): string {
  const url = new URL(config.broker);
  const target = `-h ${url.hostname} -p ${url.port || (url.protocol === "mqtts:" ? 8883 : 1883)}`;
  const where = engine === "xs" ? `XS engine (xsnap), ${options.stack ?? 384}-slot stack` : "Node engine";
  return [
    `xs-mqtt-device simulator: device "${config.deviceId}" on ${config.broker}${embedded ? " (embedded Aedes broker)" : ""}, ${where}`,
    `  try:  mosquitto_pub ${target} -t ${config.prefix}/lamp -m on`,
    `        mosquitto_pub ${target} -t ${config.prefix}/bell -m ring`,
    `        mosquitto_sub ${target} -t '${config.prefix}/#' -v`,
    `  store: ${storeDir}   clock: ${options.clock}   type "sensor 25" to set the sensor, Ctrl-C to stop`,
    "",
  ].join("\n");
}
