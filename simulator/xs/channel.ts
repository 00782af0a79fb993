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
  const pad = (globalThis as { xsStackPad?: number }).xsStackPad ?? 0;
  xsnap().handleCommand = (message) => beneath(pad, handler, message);
}

/**
 * Runs the handler under `n` padding frames, so that xsnap's 4096-slot stack leaves the handler no
 * more than a board's (stack.ts sets the count): a firmware that would overflow the board's stack
 * overflows here. Not a tail call (XS has proper tail calls): each level must stay on the stack.
 */
function beneath(n: number, handler: (request: Uint8Array) => Uint8Array | undefined, message: ArrayBuffer): ArrayBuffer {
  if (n > 0) {
    const reply = beneath(n - 1, handler, message);
    return reply;
  }
  return answer(handler, message);
}

function answer(handler: (request: Uint8Array) => Uint8Array | undefined, message: ArrayBuffer): ArrayBuffer {
  let status: number = Reply.ok;
  let body: Uint8Array | undefined;
  try {
    body = handler(new Uint8Array(message));
  } catch (error) {
    status = Reply.thrown;
    // Without the padding frames, which say nothing about the error.
    const stack = error instanceof Error ? error.stack?.split("\n").filter((line) => !line.includes("beneath")).join("\n") : undefined;
    body = new TextEncoder().encode(stack !== undefined && stack !== "" ? stack : String(error));
  }
  const reply = new Uint8Array(1 + (body?.length ?? 0));
  reply[0] = status;
  if (body) reply.set(body, 1);
  return reply.buffer;
}
