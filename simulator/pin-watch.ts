// Shows every pin the app opens on the panel: output changes, inputs driven from stdin, analog
// readings. Nothing here knows which devices exist: it hears of each pin as the app opens it.
import type { Clock } from "../src/host.js";
import type { VirtualPins } from "../hosts/node/pins.js";
import type { Panel } from "./panel.js";

export function watchPins(pins: VirtualPins, clock: Clock, panel: Panel): void {
  pins.onOpen((pin) => {
    if (pin.kind === "output") pin.onChange((change) => panel({ type: "pin", name: pin.name, value: change.value, t: change.t }));
    else if (pin.kind === "input") pin.watch((value) => panel({ type: "input", name: pin.name, value, t: clock.now() }));
    else pin.onRead = (value) => panel({ type: "reading", name: pin.name, value, t: clock.now() });
  });
}
