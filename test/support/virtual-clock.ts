// The virtual clock lives with the Node host (the simulator's --clock virtual uses it too).
export { VirtualClock } from "../../hosts/node/virtual-clock.js";
