// The device table: the one place that lists the devices. Each line is a kind and a name; the name
// names the device's pins, prefixes its config keys (`relay` -> `relayPin`) and is its topic under
// the prefix unless a third argument gives another. To add a device: write its kind (a device file
// and an entity file under src/, or one file) and add one line here (README: "Add your own device").
import { bell } from "./entities/bell.js";
import { button } from "./entities/button.js";
import { device, type DeviceLine } from "./entities/entity.js";
import { lamp } from "./entities/lamp.js";
import { relay } from "./entities/relay.js";
import { temperature } from "./entities/sensor.js";

export const DEVICES: readonly DeviceLine[] = Object.freeze([
  device(lamp, "lamp"),
  device(bell, "bell"),
  device(temperature, "sensor", "temperature"),
  device(relay, "relay"),
  device(button, "button"),
]);
