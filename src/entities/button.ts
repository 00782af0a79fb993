// The button's MQTT face: each press as `press`, `long` or `double` on <prefix>/button (QoS 1,
// never retained: an event is not a state), and Home Assistant device triggers for the three.
import { Button, type ButtonEvent } from "../device/button.js";
import { frozenFields, settingsOf } from "../fields.js";
import { topicOf, type DeviceKind, type DeviceLine, type DiscoveryEntry, type Entity, type EntityContext } from "./entity.js";

const SETTINGS = frozenFields({
  pin: { kind: "integer", default: 27, min: 0, max: 255, doc: "GPIO of the button's input" },
  activeLow: { kind: "boolean", default: true, doc: "the button connects the pin to ground (the pull-up is turned on)" },
  debounce: { kind: "integer", default: 30, min: 1, max: 1000, doc: "edges closer than this are contact bounce, ms" },
  long: { kind: "integer", default: 800, min: 50, max: 60000, doc: "held this long is a long press, ms" },
  double: { kind: "integer", default: 300, min: 0, max: 5000, doc: "a second press within this is a double press, ms (0: none; a press is then said at once)" },
});

/** HA's device trigger types for our events. */
const TRIGGERS: Readonly<Record<ButtonEvent, string>> = Object.freeze({ press: "button_short_press", long: "button_long_press", double: "button_double_press" });

export const button: DeviceKind = Object.freeze({
  settings: SETTINGS,
  create: (context: EntityContext, line: DeviceLine): Entity => new ButtonEntity(context, line),
});

class ButtonEntity implements Entity {
  readonly #context: EntityContext;
  readonly #name: string;
  readonly #topic: string;
  readonly #button: Button;

  constructor(context: EntityContext, line: DeviceLine) {
    const { host, config } = context;
    const settings = settingsOf(config, line.name, SETTINGS);
    this.#context = context;
    this.#name = line.name;
    this.#topic = topicOf(context, line);
    this.#button = new Button({
      clock: host.clock,
      timers: host.timers,
      activeLow: settings.activeLow,
      debounce: settings.debounce,
      long: settings.long,
      double: settings.double,
      listener: this,
    });
    this.#button.start(host.pins.input(line.name, settings.pin, this.#button).read());
  }

  discovery(): DiscoveryEntry[] {
    return (Object.keys(TRIGGERS) as ButtonEvent[]).map((event) => ({
      component: "device_automation" as const,
      objectId: `${this.#name}_${event}`,
      config: { atype: "trigger", t: this.#topic, type: TRIGGERS[event], stype: this.#name, pl: event },
    }));
  }

  stop(): void {
    this.#button.stop();
  }

  /** A press, long press or double press (the button calls this). */
  onButton(event: ButtonEvent): void {
    const error = this.#context.link.publish(this.#topic, event, { qos: 1 });
    if (error) this.#context.host.log(`${this.#name} ${event} not sent: ${error.message}`);
  }
}
