// The desktop simulator uses the computer's network, which is already up: nothing to join.
import type { NetworkOptions } from "../parts.js";

export default function startNetwork(options: NetworkOptions): void {
  options.log("network: the simulator uses the desktop's network");
}
