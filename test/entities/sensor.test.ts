import { createSensor } from "../../src/entities/sensor.js";
import { EPOCH, setup } from "./fakes.js";

const TOPIC = "home/office/temperature";

describe("sensor entity", () => {
  test("publishes readings as JSON with value, unit and capture time at QoS 1", () => {
    const { link, clock, sensor, context } = setup({ samplePeriod: 1000, deadband: 0.5 });
    createSensor(context);
    sensor.value = 22.25;
    clock.advance(1000);
    expect(link.on(TOPIC).map((p) => JSON.parse(p.text))).toEqual([
      { value: 21.5, unit: "C", ts: EPOCH },
      { value: 22.25, unit: "C", ts: EPOCH + 1000 },
    ]);
    expect(link.on(TOPIC)[0].options).toEqual({ qos: 1 });
  });

  test("readings taken while offline are still handed to the link (its outbox), with their own times", () => {
    const { link, clock, sensor, context } = setup({ samplePeriod: 1000, deadband: 0 });
    link.connected = false;
    createSensor(context);
    for (let i = 1; i <= 3; i++) {
      sensor.value = 20 + i;
      clock.advance(1000);
    }
    expect(link.on(TOPIC).map((p) => JSON.parse(p.text).ts - EPOCH)).toEqual([0, 1000, 2000, 3000]);
  });

  test("ts is null while the host has no wall-clock time", () => {
    const { link, clock, context } = setup();
    clock.setEpoch(undefined);
    createSensor(context);
    expect(JSON.parse(link.on(TOPIC)[0].text).ts).toBeNull();
  });

  test("live settings change the period and deadband", () => {
    const { link, clock, sensor, context } = setup({ samplePeriod: 1000, deadband: 5 });
    const entity = createSensor(context);
    sensor.value = 23;
    clock.advance(1000);
    expect(link.on(TOPIC)).toHaveLength(1);
    entity.configure?.({ ...context.config, samplePeriod: 100, deadband: 1 });
    clock.advance(100);
    expect(link.on(TOPIC)).toHaveLength(2);
    entity.stop();
    expect(clock.pending()).toBe(0);
  });

  test("discovery describes a temperature sensor reading value_json.value", () => {
    const { context } = setup();
    const [entry] = createSensor(context).discovery?.() ?? [];
    expect(entry).toMatchObject({
      component: "sensor",
      objectId: "temperature",
      config: { state_topic: TOPIC, value_template: "{{ value_json.value }}", unit_of_measurement: "°C", device_class: "temperature" },
    });
  });
});
