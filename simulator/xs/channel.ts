// XS side of the command channel: xsnap's globals, typed here so that nothing else needs them.
import { Reply } from "./protocol.js";

interface XsnapGlobals {
  issueCommand(message: ArrayBuffer): ArrayBuffer;
  handleCommand?: (message: ArrayBuffer) => ArrayBuffer;
  gc(): void;
}

const xsnap = (): XsnapGlobals => globalThis as unknown as XsnapGlobals;

/** Sends a frame to the Node side and returns its answer (synchronous: the board answers at once). */
export function call(frame: Uint8Array<ArrayBuffer>): Uint8Array {
  const exact = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength;
  return new Uint8Array(xsnap().issueCommand(exact ? frame.buffer : frame.slice().buffer));
}

/**
 * Answers the Node side's commands with `handler`. An exception thrown in XS is caught here and sent
 * back as text with its XS stack, so Node reports the real error instead of waiting for a timeout.
 */
export function serve(handler: (request: Uint8Array) => Uint8Array | undefined): void {
  xsnap().handleCommand = (message) => {
    let status: number = Reply.ok;
    let body: Uint8Array | undefined;
    try {
      body = handler(new Uint8Array(message));
    } catch (error) {
      status = Reply.thrown;
      const stack = error instanceof Error ? error.stack : undefined;
      body = new TextEncoder().encode(stack !== undefined && stack !== "" ? stack : String(error));
    }
    const reply = new Uint8Array(1 + (body?.length ?? 0));
    reply[0] = status;
    if (body) reply.set(body, 1);
    return reply.buffer;
  };
}
