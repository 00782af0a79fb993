// The broker the simulator starts when none is given: Aedes in this process on 127.0.0.1, on the
// standard port when it is free so the usual mosquitto_pub/sub commands just work.
import net from "node:net";
import { Aedes } from "aedes";

export interface EmbeddedBroker {
  port: number;
  close(): Promise<void>;
}

function listen(server: net.Server, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = (): void => resolve(false);
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve(true);
    });
  });
}

export async function startEmbeddedBroker(preferredPort = 1883): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    broker.handle(socket);
  });
  if (!(await listen(server, preferredPort)) && !(await listen(server, 0))) {
    throw new Error("the embedded broker could not listen on 127.0.0.1");
  }
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
