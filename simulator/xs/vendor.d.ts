// The few parts of untyped ESM packages that the Node side of the XS host uses.

declare module "@endo/init";

declare module "@agoric/xsnap" {
  export interface MeterUsage {
    compute: number | null;
    currentHeapCount: number | null;
    allocate: number | null;
  }
  export interface RunResult<T> {
    reply: T;
    meterUsage: MeterUsage;
  }
  export interface XSnap {
    evaluate(code: string): Promise<RunResult<Uint8Array>>;
    issueCommand(message: Uint8Array): Promise<RunResult<Uint8Array>>;
    makeSnapshotStream(description?: string): AsyncIterable<Uint8Array>;
    close(): Promise<void>;
    terminate(): Promise<void>;
  }
  export interface XSnapOptions {
    os: string;
    spawn: unknown;
    fs: unknown;
    name?: string;
    handleCommand?: (request: Uint8Array) => Promise<Uint8Array>;
    stdout?: "ignore" | "inherit" | "pipe";
    stderr?: "ignore" | "inherit" | "pipe";
    meteringLimit?: number;
  }
  export function xsnap(options: XSnapOptions): Promise<XSnap>;
}

declare module "tmp" {
  export function tmpName(options: object, callback: (error: Error | null, name: string) => void): void;
}
