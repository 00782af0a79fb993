// Replaces the SDK's setup/network on the boards. That step joins Wi-Fi once before main runs
// and waits for it; the firmware instead starts at once (readings go to the outbox) and joins
// with retry itself (board/network.ts), so a missing access point never stalls the device.
export default function setup(done: () => void): void {
  done();
}
