// The in-memory Store for tests (failWrites switch, bytes count) is the Node host's own, so tests and
// the simulator share one implementation.
export { MemoryStore } from "../../hosts/node/memory-store.js";
