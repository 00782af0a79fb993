// Listening on 127.0.0.1 only (the simulator never serves other hosts): false when the port is taken.
import type net from "node:net";

export function listenLoopback(server: net.Server, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = (): void => resolve(false);
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve(true);
    });
  });
}
