import type { Transport, TransportOptions } from "../../src/host.js";
import { watchLink } from "../../simulator/link-watch.js";
import { ndjsonPanel, terminalPanel } from "../../simulator/panel.js";

describe("simulator panel", () => {
  test("ndjson: one protocol object per line; readings stay off the protocol", () => {
    const out: string[] = [];
    const panel = ndjsonPanel((text) => out.push(text));
    panel({ type: "ready" });
    panel({ type: "pin", name: "lamp", value: 1, t: 12.5 });
    panel({ type: "reading", name: "sensor", value: 715, t: 3 });
    panel({ type: "input", name: "button", value: 0, t: 4 });
    panel({ type: "disconnected", reason: "connection closed by peer" });
    expect(out).toEqual([
      '{"type":"ready"}\n',
      '{"type":"pin","name":"lamp","value":1,"t":12.5}\n',
      '{"type":"input","name":"button","value":0,"t":4}\n',
      '{"type":"disconnected","reason":"connection closed by peer"}\n',
    ]);
  });

  test("terminal: one line per event with seconds since the start, plain without colour", () => {
    const out: string[] = [];
    const panel = terminalPanel({ write: (text) => out.push(text), color: false, origin: 1000, now: () => 2500 });
    panel({ type: "pin", name: "lamp", value: 1, t: 1250 });
    panel({ type: "pin", name: "bell", value: 0, t: 1500 });
    panel({ type: "reading", name: "sensor", value: 714.3, t: 6000 });
    panel({ type: "reading", name: "sensor", value: undefined, t: 6500 });
    panel({ type: "input", name: "button", value: 0, t: 7000 });
    panel({ type: "disconnected", reason: "connection refused by 127.0.0.1:1883" });
    expect(out).toEqual([
      "    0.250  lamp     (*) on\n",
      "    0.500  bell     ( ) off\n",
      "    5.000  sensor   714.3 mV\n",
      "    5.500  sensor   unreadable\n",
      "    6.000  button   input 0\n",
      "    1.500  link     disconnected: connection refused by 127.0.0.1:1883\n",
    ]);
  });
});

describe("link watch", () => {
  /** A fake transport whose callbacks the test fires by hand. */
  function setup() {
    let connected = false;
    const changes: string[] = [];
    let given: TransportOptions | undefined;
    const fake: Transport = { read: () => undefined, write: () => true, close: () => undefined };
    const watch = watchLink(
      (options) => {
        given = options;
        return fake;
      },
      () => connected,
      (up, reason) => changes.push(up ? "connected" : `disconnected: ${reason}`),
    );
    const client = {
      onConnect: () => undefined,
      onReadable: () => (connected = true), // a CONNACK read inside onReadable
      onWritable: () => undefined,
      onError: () => (connected = false),
    };
    const transport = watch.connect({ host: "h", port: 1, secure: false, ...client });
    return { changes, transport, fire: () => given as TransportOptions, setConnected: (v: boolean) => (connected = v), watch };
  }

  test("reports connected after the callback in which the client became connected, and the transport's reason when it drops", () => {
    const t = setup();
    t.fire().onConnect();
    expect(t.changes).toEqual([]);
    t.fire().onReadable();
    expect(t.changes).toEqual(["connected"]);
    t.fire().onError("connection reset by 127.0.0.1:1883");
    expect(t.changes).toEqual(["connected", "disconnected: connection reset by 127.0.0.1:1883"]);
  });

  test("reports a drop the client made itself when it closes the transport, or at the next check", () => {
    const t = setup();
    t.fire().onReadable();
    t.setConnected(false);
    t.transport.close();
    expect(t.changes).toEqual(["connected", "disconnected: closed by the device"]);
    t.setConnected(true);
    t.watch.check();
    expect(t.changes).toHaveLength(3);
  });
});
