// The limits a real broker announces in its CONNACK, honoured and reported: Mosquitto 2 with
// max_qos 1, retain_available false and an ACL that denies one topic (it answers 0x87 on MQTT 5).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { live, stopAll, text, until } from "./live.js";

let mosquitto: Mosquitto;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "limits-"));
  writeFileSync(join(dir, "acl"), "topic readwrite #\ntopic deny limits/denied\n");
  mosquitto = await startMosquitto({ config: [`acl_file ${join(dir, "acl")}`, "max_qos 1", "retain_available false"] });
});

afterEach(stopAll);

afterAll(async () => {
  await mosquitto?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("QoS 2 goes at the broker's Maximum QoS 1, and done says so", async () => {
  const subscriber = live(mosquitto.url, { protocolVersion: 5 });
  subscriber.client.subscribe("limits/qos", 1, () => undefined);
  await subscriber.start();
  const publisher = live(mosquitto.url, { protocolVersion: 5 });
  await publisher.start();
  const done: Array<[unknown, unknown]> = [];
  publisher.client.publish("limits/qos", "two?", { qos: 2 }, (error, qos) => done.push([error, qos]));
  await until(() => done.length === 1 && subscriber.messages.length === 1);
  expect(done).toEqual([[undefined, 1]]);
  expect(subscriber.messages.map((m) => [text(m), m.qos])).toEqual([["two?", 1]]);
});

test("a retained publish is refused as the broker keeps none, before it is sent", async () => {
  const publisher = live(mosquitto.url, { protocolVersion: 5 });
  await publisher.start();
  expect(publisher.client.publish("limits/state", "on", { qos: 1, retain: true })).toMatchObject({
    code: "not-supported",
    topic: "limits/state",
    message: 'cannot publish to "limits/state": the broker keeps no retained messages (Retain Available is 0)',
  });
});

test("a publish the ACL denies comes back as 0x87 and reaches onError with its topic, with no callback given", async () => {
  const publisher = live(mosquitto.url, { protocolVersion: 5 });
  await publisher.start();
  expect(publisher.client.publish("limits/denied", "x", { qos: 1 })).toBeUndefined();
  await until(() => publisher.errors.length === 1);
  expect(publisher.errors).toEqual([{ code: "publish-refused", message: "broker refused the message: not authorized", reasonCode: 0x87, topic: "limits/denied" }]);
  expect(publisher.client.stats()).toMatchObject({ dropsRefused: 1 });
});
