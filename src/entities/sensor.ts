// The sensor's MQTT face: readings as {"value":21.5,"unit":"C","ts":<ms since the epoch>|null}
// on <prefix>/temperature at QoS 1, so readings taken offline wait in the outbox (and survive a
// reboot) and arrive later, in order, with the time they were taken.
import { SensorReader } from "../device/sensor.js";
import type { Entity, EntityContext } from "./entity.js";

export function createSensor(context: EntityContext): Entity {
  const { host, link, config } = context;
  const topic = context.topic("temperature");
  const reader = new SensorReader({
    port: host.sensor,
    clock: host.clock,
    timers: host.timers,
    samplePeriod: config.samplePeriod,
    reportPeriod: config.reportPeriod,
    deadband: config.deadband,
    onReading({ value, unit, ts }) {
      const error = link.publish(topic, JSON.stringify({ value, unit, ts: ts ?? null }), { qos: 1 });
      if (error) host.log(`reading dropped: ${error.message}`);
    },
  });
  reader.start();
  const unit = host.sensor.unit;
  const celsius = unit === "C" || unit === "°C";

  return {
    configure: (next) => reader.configure(next),
    discovery: () => [
      {
        component: "sensor",
        objectId: "temperature",
        config: {
          name: "Temperature",
          state_topic: topic,
          value_template: "{{ value_json.value }}",
          unit_of_measurement: celsius ? "°C" : unit,
          state_class: "measurement",
          ...(celsius ? { device_class: "temperature" } : {}),
        },
      },
    ],
    stop: () => reader.stop(),
  };
}
