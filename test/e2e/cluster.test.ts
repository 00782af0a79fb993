// End to end against several brokers: the device is given a list (`broker` = comma-separated URLs),
// its node is killed with SIGKILL while readings stream, and every reading it accepted must still
// reach a subscriber that stayed up: over a RabbitMQ cluster of three (the plugin's queues mirrored
// on every node; one clean=false subscriber on a node that is not killed; the device on MQTT 3.1.1,
// then on its default MQTT 5, which RabbitMQ 3.10 hangs up on, so it falls back) and over two
// independent Mosquittos (the union of what a subscriber on each received). Both engines run
// side by side through the same kill. Each case prints what was accepted, received, lost and
// duplicated, which broker was killed and how long the move took. The cluster boots once, in
// beforeAll (about 30 s on 2 cores); every wait is bounded.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnDevice, type DeviceProcess, type Engine } from "../support/device-process.js";
import { peer, sensor, sleep, until, type Peer } from "../support/e2e.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { findRabbitmq, startRabbitCluster, type RabbitCluster } from "../support/rabbitmq.js";

const engines: Engine[] = ["node", "xs"];

// Readings: 1 °C steps with a 0.5 °C deadband, each step one QoS 1 reading; no periodic reports.
const FIRST = 21;
const COUNT = 40;
const STEP_MS = 100;
/** The step after which the device's broker is killed. */
const KILL_AT = 15;
const DELIVERY_MS = 25_000;

interface Subject {
  engine: Engine;
  proc: DeviceProcess;
  prefix: string;
  store: string;
}

const connectedTo = (proc: DeviceProcess, from = 0): string[] =>
  proc.events.slice(from).flatMap((e) => (e.type === "log" && e.line.startsWith("connected to ") ? [e.line.slice("connected to ".length)] : []));

/**
 * From now on, the time until the device logs `connected to` a broker other than `from`: the time
 * to move. Bounded; undefined when it did not move within `timeoutMs`.
 */
function timeMove(proc: DeviceProcess, from: string, timeoutMs = 30_000): { ms: number | undefined; done: Promise<void> } {
  const t0 = Date.now();
  const result: { ms: number | undefined; done: Promise<void> } = { ms: undefined, done: Promise.resolve() };
  result.done = proc
    .waitFor((e) => e.type === "log" && e.line.startsWith("connected to ") && e.line !== `connected to ${from}`, "a connection to another broker", timeoutMs, proc.events.length)
    .then(
      () => void (result.ms = Date.now() - t0),
      () => undefined,
    );
  return result;
}

/** `protocolVersion` "default": none given, so MQTT 5 with its fallback to 3.1.1. */
async function startDevices(label: string, broker: string, protocolVersion: 4 | 5 | "default"): Promise<Subject[]> {
  return Promise.all(
    engines.map(async (engine) => {
      const id = `${label}-${engine}-${process.pid}`;
      const prefix = `cluster/${id}`;
      const store = mkdtempSync(join(tmpdir(), `${label}-store-`));
      const proc = await spawnDevice({
        engine,
        broker,
        store,
        config: {
          deviceId: id,
          prefix,
          discovery: false,
          brokerOrder: "listed",
          ...(protocolVersion === "default" ? {} : { protocolVersion }),
          keepalive: 5,
          reconnectMax: 1000,
          healthPeriod: 1000,
          sensorSamplePeriod: 50,
          sensorDeadband: 0.5,
          sensorReportPeriod: 60_000,
        },
      });
      proc.send(sensor(20));
      return { engine, proc, prefix, store };
    }),
  );
}

/** Steps the sensors of every device through the values, calling `at(step)` after each. */
async function stream(subjects: Subject[], at: (step: number) => Promise<void>): Promise<number[]> {
  const values: number[] = [];
  for (let step = 0; step < COUNT; step++) {
    const value = FIRST + step;
    for (const s of subjects) s.proc.send(sensor(value));
    values.push(value);
    await sleep(STEP_MS);
    await at(step);
  }
  return values;
}

interface Counts {
  produced: number;
  accepted: number;
  received: number;
  distinct: number;
  lost: number[];
  duplicated: number;
  duplicatedSameTs: number;
}

/** What the subscribers got of the produced values on `prefix`/temperature. */
function count(subject: Subject, values: number[], receivers: Peer[]): Counts {
  const topic = `${subject.prefix}/temperature`;
  const dropped = subject.proc.events.filter((e) => e.type === "log" && e.line.startsWith("reading dropped")).length;
  const readings = receivers.flatMap((r) => r.on(topic)).map((m) => JSON.parse(m.text) as { value: number; ts: number });
  const wanted = new Set(values);
  const ours = readings.filter((r) => wanted.has(r.value));
  const seen = new Map<number, Set<number>>();
  let duplicated = 0;
  let duplicatedSameTs = 0;
  for (const r of ours) {
    const times = seen.get(r.value);
    if (!times) {
      seen.set(r.value, new Set([r.ts]));
      continue;
    }
    duplicated++;
    if (times.has(r.ts)) duplicatedSameTs++;
    times.add(r.ts);
  }
  return {
    produced: values.length,
    accepted: values.length - dropped,
    received: ours.length,
    distinct: seen.size,
    lost: values.filter((v) => !seen.has(v)),
    duplicated,
    duplicatedSameTs,
  };
}

const report = (what: string, subject: Subject, c: Counts, from: string, to: string | undefined, moveMs: number | undefined, mark: number): void => {
  // With a loss, the device's own account of the move, to see where the readings went.
  const story = c.lost.length
    ? "\n  device log since the stream began:\n    " +
      subject.proc.events
        .slice(mark)
        .flatMap((e) => (e.type === "log" ? [e.line] : e.type === "connected" || e.type === "disconnected" ? [JSON.stringify(e)] : []))
        .slice(0, 40)
        .join("\n    ")
    : "";
  // The device's way through the brokers, from its start: connects, moves, fallbacks.
  const path = subject.proc.events
    .flatMap((e) => (e.type === "log" && /^(connected to |mqtt: )/.test(e.line) ? [e.line] : []))
    .slice(0, 20)
    .join("\n    ");
  console.log(
    `${what} [${subject.engine}]: produced ${c.produced}, accepted ${c.accepted}, received ${c.received} (${c.distinct} distinct), ` +
      `lost ${c.lost.length}${c.lost.length ? ` (${c.lost.join(",")})` : ""}, duplicated ${c.duplicated} (${c.duplicatedSameTs} with the same ts); moved ${from} -> ${to ?? "nowhere"}${moveMs === undefined ? "" : ` in ${moveMs} ms after the kill`}\n  path:\n    ${path}${story}`,
  );
};

async function cleanup(subjects: Subject[], peers: Peer[]): Promise<void> {
  for (const p of peers) p.client.end(true);
  for (const s of subjects) {
    await s.proc.kill();
    rmSync(s.store, { recursive: true, force: true });
  }
}

// No silent skip: without RabbitMQ, the cluster case fails in beforeAll with this message.
test("a machine without rabbitmq-server is told what to install", () => {
  expect(() => findRabbitmq({ PATH: "/nonexistent" }, [])).toThrow("install it (apt-get install rabbitmq-server)");
});

describe("a device given several brokers keeps every reading when its broker is killed", () => {
  describe("a RabbitMQ cluster of three", () => {
    let cluster: RabbitCluster | undefined;
    beforeAll(async () => {
      cluster = await startRabbitCluster({ timeoutMs: 120_000 });
      console.log(`RabbitMQ cluster of ${cluster.nodes.length} booted and joined in ${cluster.bootMs} ms (${cluster.bootPhases})`);
    }, 130_000);
    afterAll(async () => {
      await cluster?.stop();
    }, 30_000);

    // A node killed by the case before comes back (as a member, on its ports) for the next one.
    beforeEach(async () => {
      const c = cluster!;
      for (const [i, node] of c.nodes.entries()) {
        if (c.alive(i)) continue;
        const ms = await c.restart(i);
        console.log(`RabbitMQ node ${i + 1} (${node.name}) restarted and back in the cluster in ${ms} ms`);
      }
    }, 70_000);

    // RabbitMQ 3.10 hangs up on an MQTT 5 CONNECT without a CONNACK: configured for 3.1.1, and on
    // the default (5), where the device falls back to 3.1.1 after hang-ups, moving on as it does.
    test.each([
      ["MQTT 3.1.1", 4, "rmq"],
      ["the default MQTT 5, falling back to 3.1.1", "default", "rmq5"],
    ] as const)("kill -9 of the device's node mid-stream (%s): the device moves to another node and the durable subscriber gets every accepted reading", async (what, protocolVersion, label) => {
      const c = cluster!;
      const subjects: Subject[] = [];
      const peers: Peer[] = [];
      try {
        subjects.push(...(await startDevices(label, c.urls.join(","), protocolVersion)));
        await until("both devices connected", () => subjects.every((s) => connectedTo(s.proc).length > 0), 30_000);
        const start = subjects.map((s) => connectedTo(s.proc)[0]);
        // Listed order: both begin on the same node; the subscriber goes on one neither is on.
        expect(new Set(start).size).toBe(1);
        const victim = c.urls.indexOf(start[0]);
        expect(victim).toBeGreaterThanOrEqual(0);
        const home = c.urls.length - 1 === victim ? 0 : c.urls.length - 1;
        const sub = await peer(c.urls[home], [...subjects.map((s) => `${s.prefix}/temperature`), ...subjects.map((s) => `${s.prefix}/health`)], {
          protocolVersion: 4,
          clientId: `cluster-sub-${label}-${process.pid}`,
          clean: false,
        });
        sub.client.on("error", () => undefined);
        peers.push(sub);
        const marks = subjects.map((s) => s.proc.events.length);
        let killedAt = 0;
        let moves: ReturnType<typeof timeMove>[] = [];
        const values = await stream(subjects, async (step) => {
          if (step === KILL_AT) {
            moves = subjects.map((s) => timeMove(s.proc, start[0]));
            await c.kill(victim);
            killedAt = Date.now();
          }
        });
        // Bounded (timeMove); a device that did not move is asserted below, after the counts are printed.
        await Promise.all(moves.map((m) => m.done));
        await until(
          "every produced reading at the subscriber",
          () => subjects.every((s) => count(s, values, [sub]).lost.length === 0),
          DELIVERY_MS,
        ).catch(() => undefined);
        await sleep(500); // late duplicates, if any, are counted too
        const results = subjects.map((s, i) => {
          const moved = connectedTo(s.proc, marks[i]).find((url) => url !== start[0]);
          const counts = count(s, values, [sub]);
          report(
            `RabbitMQ (${what}), node ${victim + 1} (${c.nodes[victim].name}) killed at ${killedAt ? new Date(killedAt).toISOString() : "?"}, subscriber on node ${home + 1}`,
            s,
            counts,
            start[0],
            moved,
            moves[i]?.ms,
            marks[i],
          );
          return { s, moved: moved!, counts };
        });
        if (results.some((r) => r.counts.lost.length > 0 || !r.moved)) {
          for (const [i, node] of c.nodes.entries()) {
            if (!c.alive(i)) continue;
            const lines = c.log(i, 20_000).split("\n").filter((l) => /error|warn|MQTT|closed|terminat|leader/i.test(l));
            console.log(`${node.name} log (MQTT, errors):\n  ${lines.slice(-40).join("\n  ")}`);
          }
        }
        for (const { s, moved, counts } of results) {
          expect(c.urls).toContain(moved);
          expect(c.alive(c.urls.indexOf(moved))).toBe(true);
          // On the default, the device did fall back: RabbitMQ 3.10 hangs up on MQTT 5.
          const fellBack = s.proc.events.some((e) => e.type === "log" && e.line.endsWith("; using MQTT 3.1.1"));
          expect({ engine: s.engine, fellBack }).toEqual({ engine: s.engine, fellBack: protocolVersion === "default" });
          // Health names the node the device moved to.
          const health = sub.on(`${s.prefix}/health`).map((m) => JSON.parse(m.text) as { broker: string; reconnects: number });
          expect(health.some((h) => h.broker === moved && h.reconnects >= 1)).toBe(true);
          expect({ engine: s.engine, accepted: counts.accepted, lost: counts.lost }).toEqual({ engine: s.engine, accepted: COUNT, lost: [] });
        }
      } finally {
        await cleanup(subjects, peers);
      }
    }, 80_000);
  });

  describe("two independent Mosquittos", () => {
    let brokers: Mosquitto[] = [];
    beforeAll(async () => {
      brokers = [await startMosquitto(), await startMosquitto()];
    });
    afterAll(async () => {
      for (const b of brokers) await b.stop();
    }, 20_000);

    test("kill -9 of the device's Mosquitto mid-stream: the union of both subscribers has every accepted reading", async () => {
      const subjects: Subject[] = [];
      const peers: Peer[] = [];
      try {
        const urls = brokers.map((b) => b.url);
        subjects.push(...(await startDevices("mosq", urls.join(","), 5)));
        await until("both devices connected", () => subjects.every((s) => connectedTo(s.proc).length > 0), 30_000);
        const start = subjects.map((s) => connectedTo(s.proc)[0]);
        expect(new Set(start).size).toBe(1);
        const victim = urls.indexOf(start[0]);
        expect(victim).toBeGreaterThanOrEqual(0);
        for (const url of urls) {
          const p = await peer(url, [...subjects.map((s) => `${s.prefix}/temperature`), ...subjects.map((s) => `${s.prefix}/health`)], { protocolVersion: 4 });
          // The one on the killed Mosquitto loses its link: that is expected, not an error.
          p.client.on("error", () => undefined);
          peers.push(p);
        }
        const marks = subjects.map((s) => s.proc.events.length);
        let moves: ReturnType<typeof timeMove>[] = [];
        const values = await stream(subjects, async (step) => {
          if (step === KILL_AT) {
            moves = subjects.map((s) => timeMove(s.proc, start[0]));
            await brokers[victim].kill();
          }
        });
        // Bounded (timeMove); a device that did not move is asserted below, after the counts are printed.
        await Promise.all(moves.map((m) => m.done));
        await until("every produced reading at one subscriber or the other", () => subjects.every((s) => count(s, values, peers).lost.length === 0), DELIVERY_MS).catch(
          () => undefined,
        );
        await sleep(500);
        const results = subjects.map((s, i) => {
          const moved = connectedTo(s.proc, marks[i]).find((url) => url !== start[0]);
          const counts = count(s, values, peers);
          const bySubscriber = peers.map((p) => count(s, values, [p]).received).join(" + ");
          report(`Mosquitto ${victim + 1} of 2 killed (received ${bySubscriber})`, s, counts, start[0], moved, moves[i]?.ms, marks[i]);
          return { s, moved: moved!, counts };
        });
        for (const { s, moved, counts } of results) {
          expect(moved).toBe(urls[1 - victim]);
          const health = peers[1 - victim].on(`${s.prefix}/health`).map((m) => JSON.parse(m.text) as { broker: string; reconnects: number });
          expect(health.some((h) => h.broker === moved && h.reconnects >= 1)).toBe(true);
          expect({ engine: s.engine, accepted: counts.accepted, lost: counts.lost }).toEqual({ engine: s.engine, accepted: COUNT, lost: [] });
        }
      } finally {
        await cleanup(subjects, peers);
      }
    }, 80_000);
  });
});
