// A TCP proxy between a client and a broker for fault tests: cut every live link, or stall it
// (sockets stay open, nothing moves: a half-open link), or refuse new connections. Given a filter,
// it splits each direction into MQTT packets and forwards only those the filter passes.
import net from "node:net";

export interface Proxy {
  port: number;
  /** mqtt://127.0.0.1:PORT */
  url: string;
  /** Destroys every live connection, both sides (reset: with TCP RST instead of FIN). */
  cut(options?: { reset?: boolean }): void;
  /** While on, no byte is forwarded either way; held bytes flow again, in order, when turned off. */
  stall(on: boolean): void;
  /** While on, new connections are closed at once (the broker looks down); live ones are kept. */
  refuse(on: boolean): void;
  /** Live connections. */
  connections(): number;
  /** Connections accepted since the start. */
  accepted(): number;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

/** "up": client to broker; "down": broker to client. */
export type Direction = "up" | "down";

export interface ProxyOptions {
  /** Called with every whole MQTT packet; false drops it. */
  filter?(direction: Direction, packet: Buffer): boolean;
}

/** Splits a byte stream into whole MQTT packets, keeping a partial one for the next chunk. */
function packetSplitter(each: (packet: Buffer) => void): (data: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (data) => {
    pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
    for (;;) {
      let length = 0;
      let p = 1;
      for (let shift = 0; ; shift += 7, p++) {
        if (p >= pending.length) return;
        length += (pending[p] & 0x7f) << shift;
        if (!(pending[p] & 0x80)) break;
      }
      const end = p + 1 + length;
      if (end > pending.length) return;
      each(pending.subarray(0, end));
      pending = pending.subarray(end);
    }
  };
}

export async function startProxy(targetPort: number, targetHost = "127.0.0.1", options: ProxyOptions = {}): Promise<Proxy> {
  const pairs = new Set<Pair>();
  const held: Array<() => void> = [];
  let stalled = false;
  let refusing = false;
  let accepted = 0;

  // Forwards from one side to the other, holding data while stalled and honouring back-pressure.
  const pipe = (from: net.Socket, to: net.Socket, direction: Direction): void => {
    const forward = (data: Buffer): void => {
      const send = (): void => {
        if (!to.destroyed && !to.write(data)) {
          from.pause();
          to.once("drain", () => from.resume());
        }
      };
      if (stalled) held.push(send);
      else send();
    };
    const filter = options.filter;
    if (!filter) {
      from.on("data", forward);
      return;
    }
    from.on(
      "data",
      packetSplitter((packet) => {
        if (filter(direction, packet)) forward(Buffer.from(packet));
      }),
    );
  };

  const server = net.createServer((client) => {
    accepted++;
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: targetHost, port: targetPort });
    const pair = { client, upstream };
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    pipe(client, upstream, "up");
    pipe(upstream, client, "down");
    for (const socket of [client, upstream]) {
      socket.on("error", end);
      socket.on("close", end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    cut: (options = {}) => {
      for (const { client, upstream } of [...pairs]) {
        for (const socket of [client, upstream]) {
          if (options.reset && !socket.connecting && !socket.destroyed) socket.resetAndDestroy();
          else socket.destroy();
        }
      }
      pairs.clear();
      held.length = 0;
    },
    stall: (on) => {
      stalled = on;
      if (!on) for (const send of held.splice(0)) send();
    },
    refuse: (on) => {
      refusing = on;
    },
    connections: () => pairs.size,
    accepted: () => accepted,
    close: async () => {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
