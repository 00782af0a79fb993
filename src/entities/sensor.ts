// The sensor's MQTT face: readings as {"value":21.5,"unit":"C","ts":<ms since the epoch>|null}
// on <prefix>/temperature at QoS 1, so readings taken offline wait in the outbox (and survive a
// reboot) and arrive later, in order, with the time they were taken.
import type { Config } from "../config.js";
import { SensorReader, type Reading } from "../device/sensor.js";
import type { DiscoveryEntry, Entity, EntityContext } from "./entity.js";

export function createSensor(context: EntityContext): Entity {
  return new SensorEntity(context);
}

class SensorEntity implements Entity {
  readonly #context: EntityContext;
  readonly #reader: SensorReader;
  readonly #topic: string;

  constructor(context: EntityContext) {
    const { host, config } = context;
    this.#context = context;
    this.#topic = context.topic("temperature");
    this.#reader = new SensorReader({
      port: host.sensor,
      clock: host.clock,
      timers: host.timers,
      samplePeriod: config.samplePeriod,
      reportPeriod: config.reportPeriod,
      deadband: config.deadband,
      onReading: (reading) => this.#report(reading),
    });
    this.#reader.start();
  }

  configure(next: Config): void {
    this.#reader.configure(next);
  }

  discovery(): DiscoveryEntry[] {
    const unit = this.#context.host.sensor.unit;
    const celsius = unit === "C" || unit === "°C";
    const config = {
      name: "Temperature",
      state_topic: this.#topic,
      value_template: "{{ value_json.value }}",
      unit_of_measurement: celsius ? "°C" : unit,
      state_class: "measurement",
      ...(celsius ? { device_class: "temperature" } : {}),
    };
    return [{ component: "sensor", objectId: "temperature", config }];
  }

  stop(): void {
    this.#reader.stop();
  }

  #report({ value, unit, ts }: Reading): void {
    const { link, host } = this.#context;
    const error = link.publish(this.#topic, JSON.stringify({ value, unit, ts: ts ?? null }), { qos: 1 });
    if (error) host.log(`reading dropped: ${error.message}`);
  }
}
