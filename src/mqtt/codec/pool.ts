// Small byte arrays carved out of shared slabs. On V8 a fresh Uint8Array over 64 bytes gets its
// own backing store (measured ~300 ns), while a view into a slab costs ~20 ns. A view keeps its
// whole slab alive, so use a pool only where bytes are short-lived, never for an outbox.

export class BytePool {
  readonly slabSize: number;
  private slab: ArrayBufferLike | undefined = undefined;
  private offset = 0;
  private readonly allocate: (size: number) => Uint8Array;

  /** `allocate` makes the slabs and the arrays too large to share one (over slabSize / 8). */
  constructor(slabSize = 8192, allocate: (size: number) => Uint8Array = (size) => new Uint8Array(size)) {
    this.slabSize = slabSize;
    this.allocate = allocate;
  }

  /** A zero-filled array of `size` bytes that no other caller of this pool sees. */
  take(size: number): Uint8Array {
    if (size > this.slabSize >> 3) return this.allocate(size);
    let offset = this.offset;
    if (this.slab === undefined || offset + size > this.slabSize) {
      this.slab = this.allocate(this.slabSize).buffer;
      offset = 0;
    }
    this.offset = offset + size;
    return new Uint8Array(this.slab, offset, size);
  }
}
