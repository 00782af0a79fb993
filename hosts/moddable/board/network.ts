// Joins Wi-Fi and keeps it joined: after a disconnect, or a join that gives no address in time,
// it tries again with a doubling delay (1 s up to 60 s). Once an address arrives it asks SNTP
// for the time when the clock was never set, so readings carry wall-clock timestamps.
import SNTP from "sntp";
import Time from "time";
import Timer from "timer";
import WiFi from "wifi";
import type { NetworkOptions } from "../parts.js";

const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 60_000;
const JOIN_TIMEOUT_MS = 30_000;
/** Any clock before 2023 was never set. */
const CLOCK_SET_MS = 1_672_531_200_000;

export default function startNetwork(options: NetworkOptions): void {
  const { ssid, password, log } = options;
  if (ssid === "") {
    log("network: no ssid configured (mcconfig ... ssid=NAME password=SECRET)");
    return;
  }
  const credentials = password === "" ? { ssid } : { ssid, password };
  let delay = FIRST_RETRY_MS;
  let timer: Timer | undefined;

  const schedule = (ms: number, action: () => void): void => {
    if (timer !== undefined) Timer.clear(timer);
    timer = Timer.set(() => {
      timer = undefined;
      action();
    }, ms);
  };
  const join = (): void => {
    log(`network: joining "${ssid}"`);
    WiFi.connect(credentials);
    schedule(JOIN_TIMEOUT_MS, retry);
  };
  function retry(): void {
    log(`network: no address from "${ssid}"; retrying in ${delay / 1000} s`);
    WiFi.disconnect();
    schedule(delay, join);
    delay = Math.min(delay * 2, LAST_RETRY_MS);
  }

  // The SDK keeps a monitor with a callback alive by itself; the callback is how the link reports.
  new WiFi(credentials, (message) => {
    if (message === WiFi.gotIP) {
      delay = FIRST_RETRY_MS;
      if (timer !== undefined) Timer.clear(timer);
      timer = undefined;
      log(`network: joined "${ssid}"`);
      if (options.sntp !== "" && Date.now() < CLOCK_SET_MS) askTime(options);
    } else if (message === WiFi.disconnected || message === WiFi.lostIP) {
      if (timer === undefined) retry();
    }
  });
  log(`network: joining "${ssid}"`);
  schedule(JOIN_TIMEOUT_MS, retry);
}

function askTime(options: NetworkOptions): void {
  new SNTP({ host: options.sntp }, (message, value) => {
    if (message === SNTP.time && value !== undefined) {
      Time.set(value);
      options.log(`network: clock set from ${options.sntp}`);
    } else if (message === SNTP.error) {
      options.log(`network: no time from ${options.sntp}`);
    }
  });
}
