// The Host on Moddable modules: clock and timers from `time` and `timer`, the broker over
// ECMA-419 TCP, preferences for the store, and the per-platform pins that the manifest picks
// (board/ on ESP32 and ESP8266, sim/ in the desktop simulators).
import Instrumentation from "instrumentation";
import Time from "time";
import Timer from "timer";
import openPins from "moddable/pins";
import openStore from "moddable/store";
import connect from "moddable/transport";
import type { Host, TimerHandle } from "../../src/host.js";

/** Board settings read from mc/config beside the app's own keys (docs/moddable.md lists them). */
export interface BoardSettings {
  /** Millivolts at the ADC's full-scale reading. */
  adcMillivolts: number;
  /** Largest value the store accepts, bytes. */
  storeValueBytes: number;
}

/** Any clock before 2023 was never set (no SNTP answer yet). */
const CLOCK_SET_MS = 1_672_531_200_000;

export default function createHost(board: BoardSettings): Host {
  const log = (line: string): void => trace(`${line}\n`);
  const now = (): number => Time.ticks;
  const freeMemory = Instrumentation.map("System Free Memory");
  return {
    clock: {
      now,
      epoch(): number | undefined {
        const ms = Date.now();
        return ms >= CLOCK_SET_MS ? ms : undefined;
      },
    },
    timers: {
      set(callback: () => void, ms: number): TimerHandle {
        // The callback itself, not a wrapper: no closure per timer on the board.
        return Timer.set(callback, ms);
      },
      clear(handle: TimerHandle): void {
        Timer.clear(handle as Timer);
      },
    },
    connect,
    store: openStore(board.storeValueBytes),
    pins: openPins({ adcMillivolts: board.adcMillivolts, log, now }),
    random: () => Math.random(),
    log,
    freeMemory(): number | undefined {
      // The simulators report 0: no figure is better than a wrong one.
      const bytes = freeMemory === undefined ? undefined : Instrumentation.get(freeMemory);
      return bytes !== undefined && bytes > 0 ? bytes : undefined;
    },
  };
}
