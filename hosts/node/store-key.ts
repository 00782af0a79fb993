// The Store contract's key rule (ASCII, 1..15 characters: ESP32 NVS), checked on the desktop so a key
// that would fail on the board fails in the simulator and the tests first.
const KEY = /^[\x20-\x7e]{1,15}$/;

export function checkStoreKey(key: string): void {
  if (!KEY.test(key)) {
    throw new RangeError(`store key ${JSON.stringify(key)} is not 1 to 15 printable ASCII characters (ESP32 NVS limit)`);
  }
}
