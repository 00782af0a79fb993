// Byte-exact exchanges with a scripted broker for the session's corner cases.
import mqttPacket from "mqtt-packet";
import { ClientState } from "../../src/mqtt/client.js";
import type { Message, MqttError } from "../../src/mqtt/link.js";
import { CONNACK, CONNACK_RESUMED, CONNECT_V4, CONNECT_V4_PERSISTENT, hex, scripted } from "./fake-broker.js";

function frame(packet: object, protocolVersion = 4): string {
  return hex(mqttPacket.generate(packet as mqttPacket.Packet, { protocolVersion }));
}

describe("connecting", () => {
  test("sends CONNECT on open and reports CONNACK", () => {
    const s = scripted();
    s.client.start();
    expect(s.client.state).toBe(ClientState.CONNECTING);
    s.link().open();
    expect(s.link().take()).toEqual([CONNECT_V4]);
    s.link().send(CONNACK);
    expect(s.client.connected).toBe(true);
    expect(s.connects).toEqual([{ sessionPresent: false, protocolVersion: 4 }]);
  });

  test("a version 5 CONNECT carries will, credentials and session expiry, byte for byte", () => {
    const s = scripted({
      protocolVersion: 5,
      clean: false,
      sessionExpiry: 300,
      username: "u",
      password: "p",
      will: { topic: "st", payload: "offline", qos: 1, retain: true, properties: { willDelayInterval: 2 } },
    });
    s.client.start();
    s.link().open();
    const expected = frame(
      {
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 5,
        clean: false,
        keepalive: 10,
        clientId: "c1",
        username: "u",
        password: Buffer.from("p"),
        will: { topic: "st", payload: Buffer.from("offline"), qos: 1, retain: true, properties: { willDelayInterval: 2 } },
        properties: { sessionExpiryInterval: 300, receiveMaximum: 64, maximumPacketSize: 65536 },
      },
      5,
    );
    expect(s.link().take()).toEqual([expected]);
  });

  test("a version 5 CONNECT carries only the properties that differ from the specification's defaults", () => {
    const plain = scripted({ protocolVersion: 5 });
    plain.client.start();
    plain.link().open();
    // Clean start, session expiry 0 (the default: not sent), receive maximum 64, maximum packet size 65536.
    expect(plain.link().take()).toEqual([
      frame({ cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, keepalive: 10, clientId: "c1", properties: { receiveMaximum: 64, maximumPacketSize: 65536 } }, 5),
    ]);
    const asked = scripted({
      protocolVersion: 5,
      receiveMaximum: 65535,
      maxPacketSize: 2048,
      requestProblemInformation: false,
      requestResponseInformation: true,
      userProperties: { site: "office" },
    });
    asked.client.start();
    asked.link().open();
    expect(asked.link().take()).toEqual([
      frame(
        {
          cmd: "connect",
          protocolId: "MQTT",
          protocolVersion: 5,
          clean: true,
          keepalive: 10,
          clientId: "c1",
          properties: { maximumPacketSize: 2048, requestProblemInformation: false, requestResponseInformation: true, userProperties: { site: "office" } },
        },
        5,
      ),
    ]);
  });

  test("MQTT 3.1: protocol name MQIsdp, level 3, and its client identifier of 1 to 23 bytes", () => {
    const s = scripted({ protocolVersion: 3 });
    s.client.start();
    s.link().open();
    expect(s.link().take()).toEqual([frame({ cmd: "connect", protocolId: "MQIsdp", protocolVersion: 3, clean: true, keepalive: 10, clientId: "c1" }, 3)]);
    s.link().send(CONNACK);
    expect(s.connects).toEqual([{ sessionPresent: false, protocolVersion: 3 }]);
    expect(() => scripted({ protocolVersion: 3, clientId: "a-client-identifier-of-24" })).toThrow(
      'an MQTT 3.1 client identifier is 1 to 23 bytes; "a-client-identifier-of-24" is 25',
    );
    expect(() => scripted({ protocolVersion: 3, clientId: "" })).toThrow(/is 0$/);
  });

  test("v5 -> 3.1.1 fallback: a 3.1.1 CONNACK 'unacceptable protocol version' retries with 3.1.1, after the backoff", () => {
    const s = scripted({ protocolVersion: 5 });
    s.client.start();
    s.link().open();
    expect(s.link().take()[0].slice(0, 20)).toBe("101700044d5154540502"); // a version 5 CONNECT
    s.link().send("20020001");
    expect(s.link().closed).toBe(true);
    expect(s.errors).toEqual([]);
    expect((s.clock.nextDue() as number) - s.clock.now()).toBeGreaterThanOrEqual(1000); // reconnect.min
    s.retry();
    expect(s.links).toHaveLength(2);
    s.link().open();
    expect(s.link().take()).toEqual([CONNECT_V4]);
    s.link().send(CONNACK);
    expect(s.connects).toEqual([{ sessionPresent: false, protocolVersion: 4 }]);
  });

  test("v5 -> 3.1.1 fallback re-encodes what was queued as version 5", () => {
    const s = scripted({ protocolVersion: 5 });
    s.client.publish("t", "x", { qos: 1, properties: { contentType: "text/plain" } });
    s.client.start();
    s.link().open();
    s.link().send("20020001");
    s.retry();
    s.link().open();
    s.link().send(CONNACK);
    expect(s.link().take()).toEqual([CONNECT_V4, "3206000174000178"]);
  });

  test("v5 -> 3.1.1 fallback when the broker hangs up on two version 5 CONNECTs in a row", () => {
    const s = scripted({ protocolVersion: 5 });
    s.client.start();
    s.link().open();
    s.link().take();
    s.link().fail(); // one hang-up: could be a flaky hop; 5 again
    s.retry();
    s.link().open();
    expect(s.link().take()[0].slice(0, 20)).toBe("101700044d5154540502");
    s.link().fail();
    s.retry();
    s.link().open();
    expect(s.link().take()).toEqual([CONNECT_V4]);
    expect(s.logs).toContain("mqtt: mqtt://broker.test:1883 hung up on 2 MQTT 5 CONNECTs in a row; using MQTT 3.1.1");
  });

  test("a v5 broker's receive maximum, maximum QoS and maximum packet size are honoured", () => {
    const s = scripted({ protocolVersion: 5 });
    s.client.start();
    s.link().open();
    s.link().take();
    // CONNACK: receive maximum 2, maximum QoS 1, maximum packet size 40.
    s.link().send("200d0000 0a 210002 2401 27 00000028");
    const results: Array<MqttError | undefined> = [];
    for (let i = 0; i < 4; i++) s.client.publish("t", `m${i}`, { qos: 2 }, (e) => results.push(e));
    const sent = s.link().take();
    expect(sent).toEqual([frame({ cmd: "publish", topic: "t", payload: "m0", qos: 1, messageId: 1 }, 5), frame({ cmd: "publish", topic: "t", payload: "m1", qos: 1, messageId: 2 }, 5)]);
    expect(s.client.publish("t", "x".repeat(40), { qos: 1 })).toMatchObject({ code: "too-large" });
    s.link().send("40020001");
    expect(results).toEqual([undefined]);
    expect(s.link().take()).toEqual([frame({ cmd: "publish", topic: "t", payload: "m2", qos: 1, messageId: 3 }, 5)]);
  });

  test.each([
    ["20020004", 4, "broker refused: bad user name or password", true],
    ["20020005", 4, "broker refused: not authorized", true],
    ["20020003", 4, "broker refused: server unavailable", false],
    ["2003008700", 5, "broker refused: not authorized", true],
    ["2003008600", 5, "broker refused: bad user name or password", true],
  ] as const)("CONNACK refusal %s becomes a sentence and a sensible retry", (bytes, version, sentence, permanent) => {
    const s = scripted({ protocolVersion: version });
    s.client.start();
    for (let attempt = 0; attempt < 5; attempt++) {
      s.link().open();
      s.link().take();
      s.link().send(bytes);
      expect(s.link().closed).toBe(true);
      const gap = (s.clock.nextDue() as number) - s.clock.now();
      // Bad credentials wait at least half the cap every time; a busy server backs off from the floor.
      if (permanent) expect(gap).toBeGreaterThanOrEqual(15_000);
      else expect(gap).toBeLessThanOrEqual(1000 * 2 ** Math.max(attempt, 1));
      s.clock.advance(gap);
    }
    expect(s.errors).toHaveLength(5);
    expect(s.errors[0]).toMatchObject({ code: "refused" });
    // A refusal retrying cannot fix says how long the device now waits; a busy server's says nothing more.
    if (permanent) expect(s.errors[0].message).toMatch(new RegExp(`^${sentence}; next try in \\d+ s, the longest wait, as retrying sooner cannot fix this$`));
    else expect(s.errors[0].message).toBe(sentence);
    expect(s.client.connected).toBe(false);
  });

  test("no CONNACK within the connect timeout: close and retry", () => {
    const s = scripted({ connectTimeout: 5000 });
    s.client.start();
    s.link().open();
    s.clock.advance(4999);
    expect(s.link().closed).toBe(false);
    s.clock.advance(1);
    expect(s.link().closed).toBe(true);
    expect(s.errors[0].message).toMatch(/no CONNACK came within 5000 ms/);
  });
});

describe("exact to the letter: connect and protocol errors", () => {
  const V5_CONNECT_PREFIX = "101700044d5154540502"; // clean, keepalive 10, id "c1"
  const isV5Connect = (frames: string[]) => frames.length === 1 && frames[0].startsWith(V5_CONNECT_PREFIX);

  test("MQTT 5: Session Present on a clean start closes the connection with DISCONNECT 0x82 [MQTT-3.2.2-4]", () => {
    const s = scripted({ protocolVersion: 5 });
    s.client.start();
    s.link().open();
    s.link().take();
    s.link().send("2003010000");
    expect(s.link().take()).toEqual(["e0028200"]);
    expect(s.link().closed).toBe(true);
    expect(s.connects).toEqual([]);
    expect(s.errors).toEqual([expect.objectContaining({ code: "protocol", reasonCode: 0x82, message: expect.stringMatching(/session is present although we asked for a clean start/) })]);
  });

  test("3.1.1: Session Present on a clean start is read as a new session: everything is subscribed again", () => {
    const s = scripted();
    s.client.subscribe("a", 1, () => undefined);
    s.client.start();
    s.link().open();
    s.link().take();
    s.link().send(CONNACK_RESUMED);
    expect(s.link().take()).toEqual([frame({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "a", qos: 1 }] })]);
    expect(s.connects).toEqual([{ sessionPresent: false, protocolVersion: 4 }]);
    expect(s.logs.some((line) => /claims a session is present after a clean start/.test(line))).toBe(true);
  });

  test("a 3.1.1-shaped CONNACK accepting an MQTT 5 CONNECT is a malformed packet, not a fallback", () => {
    const s = scripted({ protocolVersion: 5 });
    s.client.start();
    s.link().open();
    s.link().take();
    s.link().send("20020000");
    expect(s.link().closed).toBe(true);
    expect(s.connects).toEqual([]);
    expect(s.errors[0]).toMatchObject({ code: "protocol", reasonCode: 0x81 });
    s.retry();
    s.link().open();
    expect(isV5Connect(s.link().take())).toBe(true);
  });

  test("a link that fails before the CONNECT is sent, or stalls, is no hang-up; two hang-ups in a row are", () => {
    const s = scripted({ protocolVersion: 5, connectTimeout: 3000 });
    s.client.start();
    s.link().fail("connection refused"); // before the transport opened
    s.retry();
    s.link().open();
    s.link().take();
    s.link().fail(); // hang-up 1
    s.retry();
    s.link().open();
    s.link().take();
    s.clock.advance(3000); // a stall: the connect times out
    s.retry();
    s.link().open();
    expect(isV5Connect(s.link().take())).toBe(true);
    s.link().fail(); // hang-up 1 again: the stall broke the row
    s.retry();
    s.link().open();
    expect(isV5Connect(s.link().take())).toBe(true);
    s.link().fail(); // hang-up 2
    s.retry();
    s.link().open();
    expect(s.link().take()).toEqual([CONNECT_V4]);
  });

  test("after a fallback on hang-ups, each later connect tries 5 again once; after a refusal of 5 it does not", () => {
    const hungUp = scripted({ protocolVersion: 5 });
    hungUp.client.start();
    for (let i = 0; i < 2; i++) {
      hungUp.link().open();
      hungUp.link().take();
      hungUp.link().fail();
      hungUp.retry();
    }
    hungUp.link().open();
    expect(hungUp.link().take()).toEqual([CONNECT_V4]);
    hungUp.link().send(CONNACK);
    hungUp.link().fail("connection reset"); // the 3.1.1 link is lost
    hungUp.retry();
    hungUp.link().open();
    expect(isV5Connect(hungUp.link().take())).toBe(true);
    hungUp.link().fail(); // one hang-up is enough now
    hungUp.retry();
    hungUp.link().open();
    expect(hungUp.link().take()).toEqual([CONNECT_V4]);

    const refused = scripted({ protocolVersion: 5 });
    refused.client.start();
    refused.link().open();
    refused.link().take();
    refused.link().send("20020001");
    refused.retry();
    refused.link().open();
    refused.link().take();
    refused.link().send(CONNACK);
    refused.link().fail("connection reset");
    refused.retry();
    refused.link().open();
    expect(refused.link().take()).toEqual([CONNECT_V4]);
  });

  test.each([
    ["a reserved packet type", "00", "e0028100", 0x81],
    ["a packet over the Maximum Packet Size announced", frame({ cmd: "publish", topic: "t", payload: Buffer.alloc(100), qos: 0 }, 5), "e0029500", 0x95],
    ["a CONNACK after the CONNACK", "2003000000", "e0028200", 0x82],
  ])("MQTT 5: %s ends with DISCONNECT carrying the reason before the socket closes [MQTT-4.13.1]", (_what, bytes, disconnect, code) => {
    const s = scripted({ protocolVersion: 5, maxPacketSize: 64 });
    s.client.start();
    s.link().open();
    s.link().send("2003000000");
    s.link().take();
    s.link().send(bytes);
    expect(s.link().take()).toEqual([disconnect]);
    expect(s.link().closed).toBe(true);
    expect(s.disconnects[0]).toMatchObject({ code: "protocol", reasonCode: code });
  });

  test("a CONNACK and a bad packet in one read: no onConnect, so no onDisconnect either, but a failed connect", () => {
    const s = scripted();
    s.client.start();
    s.link().open();
    s.link().send(CONNACK + "00");
    expect(s.connects).toEqual([]);
    expect(s.disconnects).toEqual([]);
    expect(s.errors).toEqual([expect.objectContaining({ code: "protocol", message: "the broker sent a bad packet: packet type 0 is reserved" })]);
    expect(s.client.stats()).toMatchObject({ connects: 0, disconnects: 0, failedConnects: 1 });
  });

  test("a PUBREC refusing a message ends the exchange: no PUBREL, also for an id we do not know [MQTT-4.3.3-4]", () => {
    const s = scripted({ protocolVersion: 5 });
    s.client.start();
    s.link().open();
    s.link().send("2003000000");
    s.link().take();
    s.client.publish("t", "x", { qos: 2 });
    s.link().take();
    s.link().send("5003000187"); // PUBREC 0x87 for id 1
    s.link().send("5003000987"); // PUBREC 0x87 for an id we never used
    s.link().send("50020009"); // a good PUBREC for an unknown id still gets its PUBREL
    expect(s.link().take()).toEqual(["62020009"]);
  });
});

describe("exact to the letter: subscribing and the broker's packet size", () => {
  const CONNACK_V5 = "2003000000";
  /** A v5 CONNACK with Maximum Packet Size `max`. */
  const connackMax = (max: number) => `200800000527${max.toString(16).padStart(8, "0")}`;

  function v5(options = {}) {
    const s = scripted({ protocolVersion: 5, ...options });
    s.client.start();
    s.link().open();
    s.link().take();
    return s;
  }

  test("a SUBSCRIBE or UNSUBSCRIBE over the broker's Maximum Packet Size is refused here, sent never [MQTT-3.2.2-15]", () => {
    const s = v5();
    s.link().send(connackMax(20));
    s.link().take();
    const long = "x/".repeat(10) + "y";
    expect(s.client.subscribe(long, 1, () => undefined)).toEqual({ code: "too-large", message: `the SUBSCRIBE for "${long}" is 29 bytes; the broker takes at most 20` });
    expect(s.client.unsubscribe([long, "a"])).toMatchObject({ code: "too-large", message: "the UNSUBSCRIBE for 2 filters is 31 bytes; the broker takes at most 20" });
    expect(s.link().take()).toEqual([]);
    // The refused filter is not kept, so no reconnect sends it.
    s.link().fail();
    s.retry();
    s.link().open();
    s.link().take();
    s.link().send(connackMax(20));
    expect(s.link().take()).toEqual([]);
  });

  test("a SUBSCRIBE queued offline that the broker turns out too small for is refused at connect, once", () => {
    const s = v5();
    s.link().fail("connection refused");
    const results: Array<Array<unknown>> = [];
    const long = "a".repeat(40);
    expect(s.client.subscribe(long, 0, () => undefined, (r) => results.push(r))).toBeUndefined();
    s.retry();
    s.link().open();
    s.link().take();
    s.link().send(connackMax(30));
    expect(s.link().take()).toEqual([]);
    expect(results).toEqual([[expect.objectContaining({ code: "too-large" })]]);
    s.link().fail();
    s.retry();
    s.link().open();
    s.link().take();
    s.link().send(connackMax(30));
    expect(s.link().take()).toEqual([]);
    expect(results).toHaveLength(1);
  });

  test("a lost session is subscribed again in SUBSCRIBEs that fit the broker; a filter too large alone is dropped with an error", () => {
    const s = v5({ clean: false, sessionExpiry: 60 });
    s.link().send(CONNACK_V5);
    s.link().take();
    for (const filter of ["aaaa", "bbbb", "cccc", "dddd", "e".repeat(30)]) s.client.subscribe(filter, 1, () => undefined);
    s.link().take();
    for (let id = 1; id <= 5; id++) s.link().send(`9004${id.toString(16).padStart(4, "0")}0001`);
    s.link().fail();
    s.retry();
    s.link().open();
    s.link().take();
    s.link().send(connackMax(24)); // session lost; SUBSCRIBEs of at most 24 bytes
    const sent = s.link().take();
    expect(sent.every((f) => f.length / 2 <= 24)).toBe(true);
    const topics = sent.flatMap((f) => {
      const packet = mqttPacket.parser({ protocolVersion: 5 });
      let out: mqttPacket.ISubscribePacket | undefined;
      packet.on("packet", (p) => (out = p as mqttPacket.ISubscribePacket));
      packet.parse(Buffer.from(f, "hex"));
      return out!.subscriptions.map((x) => x.topic);
    });
    expect(topics).toEqual(["aaaa", "bbbb", "cccc", "dddd"]);
    expect(sent.length).toBeGreaterThan(1);
    expect(s.errors).toEqual([expect.objectContaining({ code: "too-large", message: expect.stringContaining(`"${"e".repeat(30)}"`) })]);
  });

  test("a broker whose Maximum Packet Size cannot carry a 4-byte acknowledgement is refused with a sentence", () => {
    const s = v5();
    s.link().send(connackMax(3));
    expect(s.link().closed).toBe(true);
    expect(s.errors[0].message).toBe("the broker's Maximum Packet Size of 3 bytes cannot carry a 4-byte acknowledgement");
  });

  test("unsubscribe: several filters in one UNSUBSCRIBE, sent also for filters this process never subscribed; per-filter UNSUBACK results", () => {
    const s = v5();
    s.link().send(CONNACK_V5);
    s.link().take();
    const done: Array<[unknown, readonly number[]]> = [];
    expect(s.client.unsubscribe(["a", "b/#", "c"], (results, codes) => done.push([results, codes]))).toBeUndefined();
    expect(s.link().take()).toEqual([frame({ cmd: "unsubscribe", messageId: 1, unsubscriptions: ["a", "b/#", "c"] }, 5)]);
    s.link().send("b00600010000118f"); // UNSUBACK: success, no subscription existed, topic filter invalid
    expect(done).toEqual([
      [[undefined, undefined, { code: "unsubscribe-refused", message: 'unsubscribing from "c" refused: topic filter invalid', reasonCode: 0x8f }], [0x00, 0x11, 0x8f]],
    ]);
  });

  test("3.1.1: an UNSUBACK carries no codes, so every filter is reported unsubscribed", () => {
    const s = scripted();
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().take();
    const done: Array<[unknown, readonly number[]]> = [];
    s.client.unsubscribe(["a", "b"], (results, codes) => done.push([results, codes]));
    expect(s.link().take()).toEqual([frame({ cmd: "unsubscribe", messageId: 1, unsubscriptions: ["a", "b"] })]);
    s.link().send("b0020001");
    expect(done).toEqual([[[undefined, undefined], [0, 0]]]);
  });

  test("subscription options and SUBSCRIBE properties on MQTT 5, kept for a lost session; dropped on 3.1.1", () => {
    const properties = { subscriptionIdentifier: 7, userProperties: { app: "x" } };
    const requests = [
      { filter: "a/+", qos: 1 as const, handler: () => undefined, noLocal: true, retainHandling: 2 as const },
      { filter: "b", qos: 2 as const, handler: () => undefined, retainAsPublished: true },
    ];
    const expected = frame(
      { cmd: "subscribe", messageId: 1, properties, subscriptions: [{ topic: "a/+", qos: 1, nl: true, rap: false, rh: 2 }, { topic: "b", qos: 2, nl: false, rap: true, rh: 0 }] },
      5,
    );
    const s = v5({ clean: false, sessionExpiry: 60 });
    s.link().send(CONNACK_V5);
    s.link().take();
    s.client.subscribeMany(requests, undefined, properties);
    expect(s.link().take()).toEqual([expected]);
    s.link().send("900500010001" + "02");
    s.link().fail();
    s.retry();
    s.link().open();
    s.link().take();
    s.link().send(CONNACK_V5); // the session is gone: both again, with their options and identifier
    expect(s.link().take()).toEqual([expected.replace(/^(..)(..)0001/, "$1$20002")]);

    const old = scripted();
    old.client.start();
    old.link().open();
    old.link().send(CONNACK);
    old.link().take();
    old.client.subscribeMany(requests, undefined, properties);
    expect(old.link().take()).toEqual([frame({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "a/+", qos: 1 }, { topic: "b", qos: 2 }] })]);
  });
});

describe("exact to the letter: the broker's limits, and refusals never silent", () => {
  function v5(connack: string, options = {}) {
    const s = scripted({ protocolVersion: 5, ...options });
    s.client.start();
    s.link().open();
    s.link().take();
    s.link().send(connack);
    s.link().take();
    return s;
  }

  test("above the broker's Maximum QoS a message goes at its maximum, and done says at which", () => {
    const s = v5("20050000022401"); // Maximum QoS 1
    const done: Array<[unknown, unknown]> = [];
    s.client.publish("t", "x", { qos: 2 }, (error, qos) => done.push([error, qos]));
    expect(s.link().take()).toEqual([frame({ cmd: "publish", topic: "t", payload: "x", qos: 1, messageId: 1 }, 5)]);
    s.link().send("40020001");
    expect(done).toEqual([[undefined, 1]]);
    s.client.publish("t", "y", { qos: 0 }, (error, qos) => done.push([error, qos]));
    expect(done[1]).toEqual([undefined, 0]);
    expect(s.logs).toContain("mqtt: mqtt://broker.test:1883 takes QoS 1 at most: messages asking for more go at 1");
  });

  test("retain on a broker without Retain Available is refused [MQTT-3.2.2-14], also for a message queued before", () => {
    const s = scripted({ protocolVersion: 5 });
    s.client.publish("queued", "x", { qos: 1, retain: true }); // accepted offline, no callback
    s.client.start();
    s.link().open();
    s.link().take();
    s.link().send("20050000022500"); // CONNACK: Retain Available 0
    expect(s.link().take()).toEqual([]);
    expect(s.errors).toEqual([{ code: "not-supported", message: "the broker keeps no retained messages (Retain Available is 0)", topic: "queued" }]);
    expect(s.client.publish("st", "on", { retain: true })).toEqual({
      code: "not-supported",
      message: 'cannot publish to "st": the broker keeps no retained messages (Retain Available is 0)',
      topic: "st",
    });
    expect(s.client.stats()).toMatchObject({ dropsRefused: 2, messages: 0 });
  });

  test("a topic alias above the broker's Topic Alias Maximum is refused [MQTT-3.3.2-9]", () => {
    const s = v5("2006000003220002"); // Topic Alias Maximum 2
    expect(s.client.publish("t", "x", { properties: { topicAlias: 2 } })).toBeUndefined();
    expect(s.client.publish("t", "x", { properties: { topicAlias: 3 } })).toMatchObject({
      code: "not-supported",
      message: 'cannot publish to "t": topic alias 3 is above the broker\'s Topic Alias Maximum of 2',
    });
    const none = v5("2003000000"); // none announced: 0
    expect(none.client.publish("t", "x", { properties: { topicAlias: 1 } })).toMatchObject({ code: "not-supported" });
  });

  test("a message the broker refuses, or one too large for it, reaches onError with its topic when no callback was given", () => {
    const s = v5("2003000000");
    s.client.publish("a/b", "x", { qos: 1 });
    s.link().take();
    s.link().send("4003000187"); // PUBACK: not authorized
    expect(s.errors).toEqual([{ code: "publish-refused", message: "broker refused the message: not authorized", reasonCode: 0x87, topic: "a/b" }]);
    // Queued while offline, then too large for the broker that answers.
    const t = scripted({ protocolVersion: 5 });
    t.client.publish("c", "y".repeat(40), { qos: 1 });
    t.client.start();
    t.link().open();
    t.link().take();
    t.link().send("200800000527" + "00000020"); // Maximum Packet Size 32
    expect(t.errors).toEqual([expect.objectContaining({ code: "too-large", topic: "c" })]);
  });
});

describe("publishing", () => {
  function connected(options = {}) {
    const s = scripted(options);
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().take();
    return s;
  }

  test("QoS 0, 1 and 2 flows, with completion per QoS", () => {
    const s = connected();
    const done: string[] = [];
    s.client.publish("t", "a", { qos: 0 }, (e) => done.push(`0:${e?.code}`));
    s.client.publish("t", "x", { qos: 1, retain: true }, (e) => done.push(`1:${e?.code}`));
    s.client.publish("t", "y", { qos: 2 }, (e) => done.push(`2:${e?.code}`));
    expect(s.link().take()).toEqual(["30040001" + "7461", "3306000174000178", "3406000174000279"]);
    expect(done).toEqual(["0:undefined"]);
    s.link().send("40020001");
    s.link().send("50020002");
    expect(s.link().take()).toEqual(["62020002"]);
    expect(done).toEqual(["0:undefined", "1:undefined"]);
    s.link().send("70020002");
    expect(done).toEqual(["0:undefined", "1:undefined", "2:undefined"]);
    expect(s.client.stats()).toMatchObject({ messages: 0, inflight: 0, bytes: 0 });
  });

  test("DUP retransmission of unacknowledged QoS 1/2 and PUBREL when the session resumes", () => {
    const s = scripted({ clean: false });
    s.client.start();
    s.link().open();
    expect(s.link().take()).toEqual([CONNECT_V4_PERSISTENT]);
    s.link().send(CONNACK);
    s.client.publish("t", "x", { qos: 1 });
    s.client.publish("t", "y", { qos: 2 });
    s.client.publish("t", "z", { qos: 2 });
    expect(s.link().take()).toEqual(["3206000174000178", "3406000174000279", "340600017400037a"]);
    s.link().send("50020003"); // PUBREC for z: it now waits for PUBCOMP
    expect(s.link().take()).toEqual(["62020003"]);
    s.link().fail();
    expect(s.disconnects[0]).toMatchObject({ code: "transport", message: "link lost: connection closed by peer" });
    s.client.publish("t", "w", { qos: 1 }); // offline: queued behind the others
    s.clock.advance(1500);
    s.link().open();
    s.link().take();
    s.link().send(CONNACK_RESUMED);
    // Same ids, DUP set; the released one gets its PUBREL again; then the new message.
    expect(s.link().take()).toEqual(["62020003", "3a06000174000178", "3c06000174000279", "3206000174000477"]);
    expect(s.connects[1]).toEqual({ sessionPresent: true, protocolVersion: 4 });
  });

  test("a restart after PUBREL resumes with PUBREL, never the PUBLISH again [MQTT-4.3.3-1]", () => {
    const first = scripted({ clean: false });
    first.client.start();
    first.link().open();
    first.link().send(CONNACK);
    first.link().take();
    first.client.publish("t", "y", { qos: 2 });
    expect(first.link().take()).toEqual(["3406000174000179"]);
    first.link().send("50020001"); // PUBREC
    expect(first.link().take()).toEqual(["62020001"]);
    // The process dies here, before PUBCOMP: a new client over the same store.
    const second = scripted({ clean: false }, first.store);
    second.client.start();
    second.link().open();
    expect(second.link().take()).toEqual([CONNECT_V4_PERSISTENT]);
    second.link().send(CONNACK_RESUMED);
    expect(second.link().take()).toEqual(["62020001"]);
    second.link().send("70020001"); // PUBCOMP
    expect(second.client.stats()).toMatchObject({ messages: 0, inflight: 0 });
    expect(first.store.keys()).toEqual([]);
  });

  test("a PUBCOMP saying the id is unknown (a broker that lost the session) completes the release without an error", () => {
    const s = scripted({ protocolVersion: 5 });
    s.client.start();
    s.link().open();
    s.link().send("2003000000");
    s.link().take();
    const done: Array<string | undefined> = [];
    s.client.publish("t", "y", { qos: 2 }, (error) => done.push(error?.code));
    expect(s.link().take()).toEqual(["3407000174000100" + "79"]);
    s.link().send("50020001");
    expect(s.link().take()).toEqual(["62020001"]);
    s.link().send("7003000192"); // PUBCOMP 0x92: packet identifier not found
    expect(done).toEqual([undefined]);
    expect(s.errors).toEqual([]);
  });

  test("after an outage, what onConnect publishes leaves first, then the queue in order; a stale snapshot is coalesced away", () => {
    let client: { publish(topic: string, payload: string, options?: object): unknown } | undefined;
    const s = scripted({
      onConnect: () => {
        client?.publish("st", "online", { qos: 1, retain: true });
        client?.publish("ls", "on", { qos: 0, retain: true, coalesce: true });
        client?.publish("h", "fresh", { qos: 0, coalesce: true });
      },
    });
    client = s.client;
    s.client.publish("r", "1", { qos: 1 });
    s.client.publish("h", "stale", { qos: 0, coalesce: true });
    s.client.publish("r", "2", { qos: 1 });
    s.client.start();
    s.link().open();
    s.link().take();
    s.link().send(CONNACK);
    const sent = s.link().take();
    const texts = sent.map((f) => {
      const bytes = Buffer.from(f, "hex");
      const topicLength = bytes.readUInt16BE(2);
      const topic = bytes.subarray(4, 4 + topicLength).toString();
      const qos = (bytes[0] >> 1) & 3;
      return `${topic}=${bytes.subarray(4 + topicLength + (qos ? 2 : 0)).toString()}`;
    });
    expect(texts).toEqual(["st=online", "ls=on", "h=fresh", "r=1", "r=2"]);
    expect(s.client.stats().coalesced).toBe(1);
  });

  test("outbox drains in order after a reconnect, within the in-flight window", () => {
    const s = scripted({ maxInflight: 2 });
    s.client.start();
    for (let i = 0; i < 4; i++) s.client.publish("t", String(i), { qos: 1 });
    s.client.publish("t", "q0", { qos: 0 });
    s.link().open();
    s.link().send(CONNACK);
    expect(s.link().take()).toEqual([CONNECT_V4, "3206000174000130", "3206000174000231"]);
    s.link().send("40020001");
    expect(s.link().take()).toEqual(["3206000174000332"]);
    s.link().send("40020002");
    s.link().send("40020003");
    expect(s.link().take()).toEqual(["3206000174000433", "300500017471" + "30"]);
  });

  test("packet ids wrap from 65535 to 1 and skip ids still in use", () => {
    const s = connected({ maxInflight: 8 });
    const ids: number[] = [];
    const idOf = (frame: string) => parseInt(frame.slice(10, 14), 16);
    // Id 3 is never acknowledged, and a SUBSCRIBE holds another: neither may be reused.
    for (let n = 0; n < 65_540; n++) {
      s.client.publish("t", "x", { qos: 1 });
      const sent = s.link().take().find((f) => f.startsWith("32")) as string;
      const id = idOf(sent);
      ids.push(id);
      if (n === 65_530) s.client.subscribe("a", 0, () => undefined);
      if (id !== 3) s.link().send("4002" + sent.slice(10, 14));
    }
    const subscribeId = 65_532;
    expect(ids.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(ids.slice(65_529, 65_540)).toEqual([65_530, 65_531, 65_533, 65_534, 65_535, 1, 2, 4, 5, 6, 7]);
    expect(ids).not.toContain(subscribeId);
    expect(s.client.stats().inflight).toBe(1);
  });

  test("while the transport pushes back, publishes wait in the outbox and go on onWritable", () => {
    const s = connected();
    s.link().full = true;
    s.client.publish("t", "1", { qos: 1 });
    s.client.publish("t", "2", { qos: 0 });
    expect(s.link().take()).toEqual(["3206000174000131"]);
    expect(s.client.stats().messages).toBe(2);
    s.link().full = false;
    s.link().options.onWritable();
    expect(s.link().take()).toEqual(["300400017432"]);
  });

  test("every message refused or dropped is counted, by cause", () => {
    const s = scripted({ protocolVersion: 5, outboxBytes: 100 });
    s.client.start();
    s.link().open();
    s.link().send("2008000005 2700000040"); // CONNACK, Maximum Packet Size 64
    s.link().take();
    expect(s.client.publish("a/+", "x")).toMatchObject({ code: "invalid-topic" });
    expect(s.client.publish("t", "x".repeat(70))).toMatchObject({ code: "too-large" });
    expect(s.client.publish("t", "x".repeat(40), { qos: 1 })).toBeUndefined();
    expect(s.client.publish("t", "x".repeat(40), { qos: 1 })).toMatchObject({ code: "outbox-full" });
    s.link().send("40030001 87"); // PUBACK: not authorized
    expect(s.client.stats()).toMatchObject({ drops: 4, dropsInvalid: 1, dropsTooLarge: 1, dropsFull: 1, dropsRefused: 1 });

    const offline = scripted({ outboxBytes: 100 });
    expect(offline.client.publish("t", "x".repeat(200))).toMatchObject({ code: "too-large" });
    for (let i = 0; i < 3; i++) offline.client.publish("t", "y".repeat(30)); // QoS 0: the oldest dropped for room
    expect(offline.client.stats()).toMatchObject({ drops: 2, dropsTooLarge: 1, dropsFull: 1, messages: 2 });
  });

  test("refuses invalid topics and QoS 1 beyond the outbox budget with sentences", () => {
    const s = scripted({ outboxBytes: 100 });
    expect(s.client.publish("a/+", "x")).toMatchObject({ code: "invalid-topic" });
    expect(s.client.publish("t", "x".repeat(50), { qos: 1 })).toBeUndefined();
    expect(s.client.publish("t", "x".repeat(50), { qos: 1 })).toMatchObject({
      code: "outbox-full",
      message: expect.stringMatching(/^outbox full \(\d+ of 100 bytes\): QoS 1 message to "t" refused$/),
    });
  });
});

describe("receiving", () => {
  test("QoS 2 exactly once: a duplicate PUBLISH and a duplicate PUBREL deliver nothing twice", () => {
    const s = scripted();
    const got: Message[] = [];
    s.client.subscribe("t/#", 2, (m) => got.push(m));
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    expect(s.link().take()).toEqual([CONNECT_V4, "820800010003742f2302"]); // SUBSCRIBE id 1, "t/#" at QoS 2
    s.link().send("9003000102");
    s.link().send("3408 0003 742f61 0005 68"); // QoS 2, id 5, "t/a" "h"
    expect(s.link().take()).toEqual(["50020005"]);
    s.link().send("3c08 0003 742f61 0005 68"); // the broker resends it (DUP)
    expect(s.link().take()).toEqual(["50020005"]);
    expect(got).toHaveLength(1);
    s.link().send("62020005");
    expect(s.link().take()).toEqual(["70020005"]);
    s.link().send("62020005");
    expect(s.link().take()).toEqual(["70020005"]);
    s.link().send("3408 0003 742f61 0005 69"); // id 5 again after release: a new message
    expect(got.map((m) => Buffer.from(m.payload).toString())).toEqual(["h", "i"]);
    expect(got[0]).toMatchObject({ topic: "t/a", qos: 2, retain: false, dup: false });
    expect(s.client.stats().duplicates).toBe(1);
  });

  test("packets ahead of a malformed one in the same chunk are handled, then the link goes down", () => {
    const s = scripted();
    const got: string[] = [];
    s.client.subscribe("t", 0, (m) => got.push(Buffer.from(m.payload).toString()));
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().send(frame({ cmd: "publish", topic: "t", payload: "a", qos: 0 }) + "0000"); // type 0 is reserved
    expect(got).toEqual(["a"]);
    expect(s.link().closed).toBe(true);
    expect(s.disconnects.map((e) => e.message)).toEqual(["the broker sent a bad packet: packet type 0 is reserved"]);
  });

  test("bytes that arrive while a handler runs are handled after it, in order", () => {
    const s = scripted();
    const order: string[] = [];
    s.client.subscribe("t", 0, (m) => {
      const text = Buffer.from(m.payload).toString();
      order.push(`start ${text}`);
      if (text === "a") s.link().send(frame({ cmd: "publish", topic: "t", payload: "b", qos: 0 }));
      order.push(`end ${text}`);
    });
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().send(frame({ cmd: "publish", topic: "t", payload: "a", qos: 0 }));
    expect(order).toEqual(["start a", "end a", "start b", "end b"]);
  });

  test("onConnect comes once the packets that arrived with CONNACK are handled", () => {
    const order: string[] = [];
    const s = scripted({ clean: false, onConnect: () => order.push("onConnect") });
    s.client.subscribe("t", 1, () => order.push("message"));
    s.client.start();
    s.link().open();
    // A resumed session: the broker sends what it kept right behind CONNACK.
    s.link().send(CONNACK_RESUMED + frame({ cmd: "publish", topic: "t", payload: "kept", qos: 1, messageId: 3 }));
    expect(order).toEqual(["message", "onConnect"]);
  });

  test("an object handler gets its messages through onMessage, called on the object", () => {
    const s = scripted();
    const receiver = {
      got: [] as string[],
      onMessage(message: Message) {
        this.got.push(`${message.topic}=${Buffer.from(message.payload).toString()}`);
      },
    };
    s.client.subscribe("dev/lamp", 1, receiver);
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().take();
    s.link().send(frame({ cmd: "publish", topic: "dev/lamp", payload: "on", qos: 0 }));
    s.link().send(frame({ cmd: "publish", topic: "dev/bell", payload: "ring", qos: 0 }));
    expect(receiver.got).toEqual(["dev/lamp=on"]);
  });

  test("a received payload owns exactly its bytes unless receivePool asks for slabs", () => {
    const payloads = (options: { receivePool?: number }): Uint8Array[] => {
      const s = scripted(options);
      const got: Uint8Array[] = [];
      s.client.subscribe("t", 0, (m) => got.push(m.payload));
      s.client.start();
      s.link().open();
      s.link().send(CONNACK);
      s.link().send(frame({ cmd: "publish", topic: "t", payload: "hello", qos: 0 }));
      return got;
    };
    // A slab would keep its whole size alive for as long as anyone holds one payload: too dear on a board.
    const [exact] = payloads({});
    expect(Buffer.from(exact).toString()).toBe("hello");
    expect(exact.buffer.byteLength).toBe(5);
    const [pooled] = payloads({ receivePool: 1024 });
    expect(Buffer.from(pooled).toString()).toBe("hello");
    expect(pooled.buffer.byteLength).toBe(1024);
  });

  test("QoS 1 is acknowledged after delivery; filters route with + and #, not $-topics", () => {
    const s = scripted();
    const routed: string[] = [];
    s.client.subscribe("a/+/c", 1, (m) => routed.push(`plus:${m.topic}`));
    s.client.subscribe("#", 1, (m) => routed.push(`hash:${m.topic}`));
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().take();
    s.link().send(frame({ cmd: "publish", topic: "a/b/c", payload: "1", qos: 1, messageId: 9 }));
    s.link().send(frame({ cmd: "publish", topic: "$SYS/x", payload: "1", qos: 0 }));
    expect(routed).toEqual(["plus:a/b/c", "hash:a/b/c"]);
    expect(s.link().take()).toEqual(["40020009"]);
  });

  test("SUBACK failures come back per filter, and failed filters are not resubscribed", () => {
    const s = scripted({ clean: false });
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().take();
    let results: Array<MqttError | undefined> = [];
    s.client.subscribeMany(
      [
        { filter: "ok", qos: 1, handler: () => undefined },
        { filter: "no", qos: 1, handler: () => undefined },
      ],
      (r) => (results = r),
    );
    expect(s.link().take()).toEqual([frame({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "ok", qos: 1 }, { topic: "no", qos: 1 }] })]);
    s.link().send("9004000101" + "80");
    expect(results).toEqual([undefined, { code: "subscribe-refused", message: 'subscription to "no" refused: failure', reasonCode: 0x80 }]);
    // A broker that lost the session gets back what it granted, and only that.
    s.link().fail();
    s.retry();
    s.link().open();
    s.link().send(CONNACK);
    expect(s.link().take()).toEqual([CONNECT_V4_PERSISTENT, frame({ cmd: "subscribe", messageId: 2, subscriptions: [{ topic: "ok", qos: 1 }] })]);
    // A resumed session keeps its subscriptions: nothing is sent again.
    s.link().send("9003000201");
    s.link().fail();
    s.retry();
    s.link().open();
    s.link().send(CONNACK_RESUMED);
    expect(s.link().take()).toEqual([CONNECT_V4_PERSISTENT]);
  });

  test("v5 SUBACK reason codes become sentences (onError without a callback)", () => {
    const s = scripted({ protocolVersion: 5 });
    s.client.start();
    s.link().open();
    s.link().send("2003000000");
    s.link().take();
    s.client.subscribe("x/#", 0, () => undefined);
    s.link().send("900400010087");
    expect(s.errors).toEqual([{ code: "subscribe-refused", message: 'subscription to "x/#" refused: not authorized', reasonCode: 0x87 }]);
  });
});

describe("hostile brokers", () => {
  /** A 3.1.1 PUBLISH of `payloadBytes` x's (QoS from the first byte), as hex. */
  function big(first: number, topic: string, id: number, payloadBytes: number): string {
    const packet = { cmd: "publish", topic, payload: Buffer.alloc(payloadBytes, 0x78), qos: (first >> 1) & 3, retain: (first & 1) === 1, dup: (first & 8) === 8, messageId: id };
    return frame(packet);
  }

  test("3.1.1: a PUBLISH over maxPacketSize is skipped, acknowledged, reported once, and the session goes on", () => {
    const skipped: unknown[] = [];
    const got: string[] = [];
    const s = scripted({ maxPacketSize: 64, onSkipped: (m) => skipped.push(m) });
    s.client.subscribe("t/#", 2, (m) => got.push(Buffer.from(m.payload).toString()));
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().take();
    s.link().send("9003000101");
    const qos1 = big(0x33, "t/a", 5, 1000); // retained, as a broker replays it at subscribe
    // Split mid-body, with a small message after it in the same chunk.
    s.link().send(qos1.slice(0, 40));
    s.link().send(qos1.slice(40) + frame({ cmd: "publish", topic: "t/b", payload: "ok", qos: 0 }));
    expect(s.link().take()).toEqual(["40020005"]);
    expect(got).toEqual(["ok"]);
    const qos2 = big(0x34, "t/c", 6, 500);
    s.link().send(qos2);
    s.link().send("3c" + qos2.slice(2)); // its DUP: acknowledged, not reported again
    s.link().send("62020006");
    expect(s.link().take()).toEqual(["50020006", "50020006", "70020006"]);
    expect(skipped).toEqual([
      { topic: "t/a", qos: 1, messageId: 5, retain: true, dup: false, size: 1010 },
      { topic: "t/c", qos: 2, messageId: 6, retain: false, dup: false, size: 510 },
    ]);
    expect(s.client.connected).toBe(true);
    expect(s.client.stats()).toMatchObject({ skipped: 2, duplicates: 1 });
    expect(s.disconnects).toEqual([]);
  });

  test("3.1.1 without onSkipped: the skip reaches onError with the topic and the size", () => {
    const s = scripted({ maxPacketSize: 64 });
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().send(big(0x30, "t/a", 0, 100));
    expect(s.errors).toEqual([{ code: "too-large", message: 'skipped a message of 107 bytes on "t/a": this client takes at most 64' }]);
    expect(s.client.connected).toBe(true);
  });

  test("MQTT 5: a PUBLISH over the announced Maximum Packet Size is a protocol error", () => {
    const s = scripted({ protocolVersion: 5, maxPacketSize: 64 });
    s.client.start();
    s.link().open();
    s.link().send("2003000000");
    s.link().send(frame({ cmd: "publish", topic: "t/a", payload: Buffer.alloc(100), qos: 0 }, 5));
    expect(s.link().closed).toBe(true);
    expect(s.disconnects[0]).toMatchObject({ code: "protocol", reasonCode: 0x95 });
  });

  test("MQTT 5: one QoS 2 PUBLISH past the announced Receive Maximum closes with DISCONNECT 0x93 [MQTT-3.3.4-9]", () => {
    const got: number[] = [];
    const s = scripted({ protocolVersion: 5, receiveMaximum: 64 });
    s.client.subscribe("t", 2, () => got.push(got.length));
    s.client.start();
    s.link().open();
    expect(s.link().take()[0]).toContain("210040"); // Receive Maximum 64 in CONNECT
    s.link().send("2003000000");
    s.link().take();
    s.link().send("900400010002");
    for (let id = 1; id <= 64; id++) s.link().send(frame({ cmd: "publish", topic: "t", payload: "x", qos: 2, messageId: id }, 5));
    expect(got).toHaveLength(64);
    expect(s.link().take()).toHaveLength(64); // a PUBREC each
    s.link().send(frame({ cmd: "publish", topic: "t", payload: "x", qos: 2, messageId: 65 }, 5));
    expect(s.link().take()).toEqual(["e0029300"]); // DISCONNECT, receive maximum exceeded
    expect(s.link().closed).toBe(true);
    expect(got).toHaveLength(64);
    expect(s.disconnects[0]).toMatchObject({ code: "protocol", reasonCode: 0x93, message: "the broker sent more than 64 QoS 2 messages awaiting release: receive maximum exceeded" });
  });

  test("a released id frees its place: 10,000 QoS 2 messages released in turn never exceed the bound", () => {
    const s = scripted({ receiveMaximum: 4 });
    let got = 0;
    s.client.subscribe("t", 2, () => got++);
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().send("9003000102");
    for (let n = 0; n < 10_000; n++) {
      const id = (n % 4) + 1;
      s.link().send(frame({ cmd: "publish", topic: "t", payload: "x", qos: 2, messageId: id }));
      if (n % 4 === 3) for (let r = 1; r <= 4; r++) s.link().send(frame({ cmd: "pubrel", messageId: r }));
    }
    expect(got).toBe(10_000);
    expect(s.client.connected).toBe(true);
  });
});

describe("keepalive and reconnect", () => {
  test("PINGREQ when idle; no PINGRESP within half the keepalive: link dead, within 1.5x keepalive", () => {
    const s = scripted();
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().take();
    s.clock.advance(9_999);
    expect(s.link().take()).toEqual([]);
    s.clock.advance(1);
    expect(s.link().take()).toEqual(["c000"]);
    s.link().send("d000");
    const stalledAt = s.clock.now(); // from here the broker says nothing
    // Traffic from our side does not hide a silent broker.
    for (let t = 0; t < 20; t++) {
      s.clock.advance(1000);
      if (s.client.connected) s.client.publish("t", "x");
    }
    expect(s.disconnects).toHaveLength(1);
    expect(s.disconnects[0]).toMatchObject({ code: "keepalive", message: "link dead: no answer to PINGREQ within 5000 ms" });
    const deadAt = s.clock.now() - 20_000 + 15_000;
    expect(deadAt - stalledAt).toBeLessThanOrEqual(15_000);
    expect(s.links[0].closed).toBe(true);
  });

  test("stalled link detected at exactly keepalive + ping timeout after the last byte received", () => {
    const s = scripted();
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    let downAt = -1;
    const started = s.clock.now();
    while (downAt < 0 && s.clock.now() < 60_000) {
      s.clock.advance(100);
      if (s.disconnects.length > 0) downAt = s.clock.now();
    }
    expect(downAt - started).toBe(15_000);
    expect(downAt - started).toBeLessThanOrEqual(1.5 * 10_000);
  });

  test("backoff: exponential with full jitter and a cap, reset once a link stayed up", () => {
    const s = scripted({ keepalive: 60 });
    s.client.start();
    // random() is 0.5 in scripted(): each delay is min + (ceiling - min) / 2; the first ceiling is
    // 2 * min, so a fleet that lost one broker together does not retry together.
    const gaps: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      s.link().fail("connection refused by broker.test:1883");
      gaps.push((s.clock.nextDue() as number) - s.clock.now());
      s.clock.advance(gaps[gaps.length - 1]);
    }
    expect(gaps).toEqual([1500, 1500, 2500, 4500, 8500, 15_500, 15_500]);
    expect(s.errors[0]).toEqual({ code: "transport", message: "cannot connect to mqtt://broker.test:1883: connection refused by broker.test:1883" });
    s.link().open();
    s.link().send(CONNACK);
    s.clock.advance(20_000);
    s.link().fail();
    expect((s.clock.nextDue() as number) - s.clock.now()).toBe(1500);
  });

  test("the first retry after a lost link is drawn from [min, 2 * min]: devices that lost one broker together spread out", () => {
    const firstRetry = (random: number): number => {
      const s = scripted({ keepalive: 60 }, undefined, () => random);
      s.client.start();
      s.link().open();
      s.link().send(CONNACK);
      s.clock.advance(40_000); // stable: the backoff starts again from its first draw
      s.link().fail();
      return (s.clock.nextDue() as number) - s.clock.now();
    };
    expect([0, 0.25, 0.5, 0.999].map(firstRetry)).toEqual([1000, 1250, 1500, 1999]);
  });

  test("backoff after a link that worked a while: the next wait is no longer than that link lived", () => {
    const s = scripted({ keepalive: 60 });
    s.client.start();
    const wait = () => (s.clock.nextDue() as number) - s.clock.now();
    // Grow the backoff to its cap (30 s; the delay is min + (ceiling - min) / 2 = 15.5 s).
    for (let attempt = 0; attempt < 7; attempt++) {
      s.link().fail("connection refused by broker.test:1883");
      s.clock.advance(wait());
    }
    // A link kicked right after its CONNACK earns nothing: the backoff keeps growing.
    s.link().open();
    s.link().send(CONNACK);
    s.link().fail();
    expect(wait()).toBe(15_500);
    s.clock.advance(wait());
    // A link that lived 5 s (under stableAfter, 20 s): the ceiling drops to 4 s, the largest 1 s x 2^k within 5 s.
    s.link().open();
    s.link().send(CONNACK);
    s.clock.advance(5000);
    s.link().fail();
    expect(wait()).toBe(2500);
    s.clock.advance(wait());
    // The next failed attempt grows from there, not from the cap.
    s.link().fail("connection refused by broker.test:1883");
    expect(wait()).toBe(4500);
  });

  test("stop() sends DISCONNECT, closes, and reconnects no more", () => {
    const s = scripted();
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().take();
    let stopped = false;
    s.client.stop(() => (stopped = true));
    expect(s.link().take()).toEqual(["e000"]);
    expect(s.link().closed).toBe(true);
    expect(stopped).toBe(true);
    expect(s.clock.pending()).toBe(0);
    expect(s.client.state).toBe(ClientState.STOPPED);
  });
});

describe("the outbox through the client", () => {
  test("memory held per queued message is at most its encoded size + 32 bytes", () => {
    const s = scripted({ outboxBytes: 64 * 1024 });
    let encoded = 0;
    const n = 300;
    for (let i = 0; i < n; i++) {
      const qos = (i % 3) as 0 | 1 | 2;
      const topic = `home/office/sensor${i % 7}`;
      const payload = `{"value":${i * 1.5},"unit":"C"}`;
      expect(s.client.publish(topic, payload, { qos })).toBeUndefined();
      encoded += frame({ cmd: "publish", topic, payload, qos, messageId: qos ? 1 : undefined }).length / 2;
    }
    const stats = s.client.stats();
    expect(stats.messages).toBe(n);
    // The arena is all the outbox holds per message: packet bytes and a 12-byte header.
    expect(stats.bytes).toBe(encoded + 12 * n);
    expect(stats.bytes).toBeLessThanOrEqual(encoded + 32 * n);
  });

  test("coalesce: a reconnect sends only the newest queued state of a topic", () => {
    const s = scripted();
    const done: Array<string | undefined> = [];
    s.client.start();
    for (const state of ["on", "off", "on"]) {
      s.client.publish("lamp/state", state, { qos: 1, retain: true, coalesce: true }, (e) => done.push(e?.code));
    }
    s.client.publish("other", "1", { qos: 1 });
    expect(done).toEqual(["coalesced", "coalesced"]);
    s.link().open();
    s.link().send(CONNACK);
    expect(s.link().take().slice(1)).toEqual([
      frame({ cmd: "publish", topic: "lamp/state", payload: "on", qos: 1, retain: true, messageId: 1 }),
      frame({ cmd: "publish", topic: "other", payload: "1", qos: 1, messageId: 2 }),
    ]);
    expect(s.client.stats()).toMatchObject({ coalesced: 2, messages: 2, inflight: 2 });
  });
});

describe("restart over the same store", () => {
  test("a QoS 2 message sent before the restart goes again as DUP with its id; new ids start above it", () => {
    const first = scripted({ clean: false });
    first.client.start();
    first.link().open();
    first.link().send(CONNACK);
    for (let i = 0; i < 3; i++) first.client.publish("t", "q", { qos: 2 });
    first.link().send("50020001"); // PUBREC for id 1
    first.link().send("70020001"); // PUBCOMP for id 1: done
    expect(first.link().take().slice(1, 4)).toEqual(["3406000174000171", "3406000174000271", "3406000174000371"]);
    // The "process" dies here; a new client opens the same store.
    const second = scripted({ clean: false }, first.store);
    expect(second.client.stats().messages).toBe(2);
    second.client.start();
    second.link().open();
    second.link().send(CONNACK_RESUMED);
    second.client.publish("t", "n", { qos: 1 });
    expect(second.link().take()).toEqual([CONNECT_V4_PERSISTENT, "3c06000174000271", "3c06000174000371", "320600017400046e"]);
  });
});
