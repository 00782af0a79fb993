// The Store port on Moddable preferences (NVS on ESP32, a flash sector on ESP8266, a JSON file
// in the simulators). Values larger than the platform allows are refused up front (write returns
// false) rather than left to the SDK to throw: the ESP8266 keeps at most 63 bytes per value.
import Preference from "preference";
import type { Store } from "../../src/host.js";

/** Preference domain: at most 15 characters for ESP32 NVS. */
const DOMAIN = "xsmqtt";

export default function openStore(maxValueBytes: number): Store {
  return {
    read(key: string): Uint8Array | undefined {
      try {
        const value = Preference.get(DOMAIN, key);
        return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
      } catch {
        return undefined;
      }
    },
    write(key: string, value: Uint8Array): boolean {
      if (value.byteLength > maxValueBytes) return false;
      try {
        // slice(): Preference stores a whole ArrayBuffer, and value may be a view into a larger one.
        Preference.set(DOMAIN, key, value.slice().buffer);
        return true;
      } catch {
        return false;
      }
    },
    delete(key: string): void {
      try {
        Preference.delete(DOMAIN, key);
      } catch {
        // Already gone, or the medium failed: either way there is nothing left to read.
      }
    },
    keys(): string[] {
      try {
        return Preference.keys(DOMAIN);
      } catch {
        return [];
      }
    },
  };
}
