import { temperature } from "../../src/entities/sensor.js";
import { tmp36Millivolts } from "../../src/device/tmp36.js";
import { device, type EntityContext } from "../../src/entities/entity.js";
import { EPOCH, setup } from "./fakes.js";

const createSensor = (context: EntityContext) => temperature.create(context, device(temperature, "sensor", "temperature"));
const TOPIC = "home/office/temperature";

describe("sensor entity", () => {
  test("publishes readings as JSON with value, unit and capture time at QoS 1", () => {
    const { link, clock, sensor, context } = setup({ sensorSamplePeriod: 1000, sensorDeadband: 0.5 });
    createSensor(context);
    sensor.value = tmp36Millivolts(22.3);
    clock.advance(1000);
    expect(link.on(TOPIC).map((p) => JSON.parse(p.text))).toEqual([
      { value: 21.5, unit: "C", ts: EPOCH },
      { value: 22.3, unit: "C", ts: EPOCH + 1000 },
    ]);
    expect(link.on(TOPIC)[0].options).toEqual({ qos: 1 });
  });

  test("readings taken while offline are still handed to the link (its outbox), with their own times", () => {
    const { link, clock, sensor, context } = setup({ sensorSamplePeriod: 1000, sensorDeadband: 0 });
    link.connected = false;
    createSensor(context);
    for (let i = 1; i <= 3; i++) {
      sensor.value = tmp36Millivolts(20 + i);
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
    const { link, clock, sensor, context } = setup({ sensorSamplePeriod: 1000, sensorDeadband: 5 });
    const entity = createSensor(context);
    sensor.value = tmp36Millivolts(23);
    clock.advance(1000);
    expect(link.on(TOPIC)).toHaveLength(1);
    entity.configure?.({ ...context.config, sensorSamplePeriod: 100, sensorDeadband: 1 });
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
      config: { stat_t: TOPIC, val_tpl: "{{value_json.value}}", unit_of_meas: "°C", dev_cla: "temperature", stat_cla: "measurement" },
    });
  });

  test("a TMP36 reads in tenths of a degree; an input that cannot be read publishes nothing and is tried again", () => {
    const { link, clock, sensor, context } = setup({ sensorSamplePeriod: 1000, sensorDeadband: 0 });
    sensor.value = 722.4;
    createSensor(context);
    sensor.value = undefined;
    clock.advance(1000);
    sensor.value = 431;
    clock.advance(1000);
    expect(link.on(TOPIC).map((p) => JSON.parse(p.text).value)).toEqual([22.2, -6.9]);
  });
});
