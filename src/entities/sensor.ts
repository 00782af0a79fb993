// The temperature sensor's MQTT face: a TMP36 on an analog input, sampled every samplePeriod;
// readings as {"value":21.5,"unit":"C","ts":<ms since the epoch>|null} on <prefix>/<topic> at
// QoS 1, so readings taken offline wait in the outbox (and survive a reboot) and arrive later,
// in order, with the time they were taken.
import type { Config } from "../config.js";
import { SensorReader, type Reading } from "../device/sensor.js";
import { Tmp36 } from "../device/tmp36.js";
import { frozenFields, settingsOf } from "../fields.js";
import { topicOf, type DeviceKind, type DeviceLine, type DiscoveryEntry, type Entity, type EntityContext } from "./entity.js";

const DAY = 86_400_000;

const SETTINGS = frozenFields({
  pin: { kind: "integer", default: 34, min: 0, max: 255, doc: "ADC input of the TMP36" },
  samplePeriod: { kind: "integer", default: 5000, min: 10, max: DAY, live: true, doc: "how often the sensor is read, ms" },
  reportPeriod: { kind: "integer", default: 60000, min: 10, max: DAY, live: true, doc: "a reading is published at least this often, ms, even when it did not move" },
  deadband: { kind: "number", default: 0.5, min: 0, max: 1e6, live: true, doc: "a reading that moved more than this from the last one published is published at once" },
});

export const temperature: DeviceKind = Object.freeze({
  settings: SETTINGS,
  create: (context: EntityContext, line: DeviceLine): Entity => new SensorEntity(context, line),
});

class SensorEntity implements Entity {
  readonly #context: EntityContext;
  readonly #name: string;
  /** Its discovery id: the topic's last level, so Home Assistant keeps the entity it knew. */
  readonly #objectId: string;
  readonly #reader: SensorReader;
  readonly #topic: string;

  constructor(context: EntityContext, line: DeviceLine) {
    const { host, config } = context;
    const settings = settingsOf(config, line.name, SETTINGS);
    this.#context = context;
    this.#name = line.name;
    this.#objectId = line.topic ?? line.name;
    this.#topic = topicOf(context, line);
    this.#reader = new SensorReader({
      port: new Tmp36(host.pins.analog(line.name, settings.pin)),
      clock: host.clock,
      timers: host.timers,
      samplePeriod: settings.samplePeriod,
      reportPeriod: settings.reportPeriod,
      deadband: settings.deadband,
      listener: this,
    });
    this.#reader.start();
  }

  configure(next: Config): void {
    this.#reader.configure(settingsOf(next, this.#name, SETTINGS));
  }

  discovery(): DiscoveryEntry[] {
    // Unnamed: Home Assistant names it by its device class, "Temperature".
    const config = { stat_t: this.#topic, val_tpl: "{{value_json.value}}", unit_of_meas: "°C", stat_cla: "measurement", dev_cla: "temperature" };
    return [{ component: "sensor", objectId: this.#objectId, config }];
  }

  stop(): void {
    this.#reader.stop();
  }

  /** A reading to report (the reader calls this). */
  onReading({ value, unit, ts }: Reading): void {
    const { link, host } = this.#context;
    const error = link.publish(this.#topic, JSON.stringify({ value, unit, ts: ts ?? null }), { qos: 1 });
    if (error) host.log(`reading dropped: ${error.message}`);
  }
}
