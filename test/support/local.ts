// Small things the broker helpers share: finding a program, and asking whether a loopback port
// accepts connections.
import { accessSync, constants } from "node:fs";
import net from "node:net";
import { join } from "node:path";

/** The first of `dirs` holding every one of `names` as an executable, or undefined. */
export function dirWith(dirs: (string | undefined)[], ...names: string[]): string | undefined {
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      for (const name of names) accessSync(join(dir, name), constants.X_OK);
      return dir;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether something accepts TCP connections on this loopback port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
