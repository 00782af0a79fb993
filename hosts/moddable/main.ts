// The firmware's entry point: reads the build-time config (the manifest's `config`, overridden
// by `mcconfig ... key=value`, all strings), validates it, then starts the network and the app.
import config from "mc/config";
import start from "app";
import { parseConfig } from "config";
import createHost from "moddable/host";
import startNetwork from "moddable/network";

export default function main(): void {
  const raw: Readonly<Record<string, unknown>> = config;
  const parsed = parseConfig(raw);
  if (!parsed.ok) {
    for (const error of parsed.errors) trace(`config: ${error}\n`);
    trace("config: not started; fix the manifest's config or the mcconfig key=value arguments\n");
    return;
  }
  const settings = parsed.config;
  const host = createHost({
    adcMillivolts: positive(raw, "adcMillivolts", 3300),
    storeValueBytes: positive(raw, "storeValueBytes", 4000),
  });
  host.log(`device ${settings.deviceId}: broker ${settings.broker}, topics under ${settings.prefix}/`);
  startNetwork({ ssid: settings.ssid, password: settings.password, sntp: text(raw, "sntp"), log: host.log });
  start(host, settings);
}

/** A board setting that must be a positive number (mcconfig passes it as a string). */
function positive(raw: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const value = Number(raw[key] ?? fallback);
  if (Number.isFinite(value) && value > 0) return value;
  trace(`config: ${key} must be a positive number; using ${fallback}\n`);
  return fallback;
}

function text(raw: Readonly<Record<string, unknown>>, key: string): string {
  const value = raw[key];
  return typeof value === "string" ? value : "";
}
