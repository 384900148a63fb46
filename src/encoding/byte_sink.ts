/** A byte buffer that grows by doubling and is reused after clear(): bytes are copied in. */
export class ByteSink {
  #buf: Uint8Array;
  length = 0;

  constructor(initialBytes = 4096) {
    this.#buf = new Uint8Array(initialBytes);
  }

  /** Copies `bytes` in (the caller may reuse them at once). */
  push(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.#buf.length) {
      const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.length + bytes.length));
      bigger.set(this.#buf.subarray(0, this.length));
      this.#buf = bigger;
    }
    this.#buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** The bytes so far, as a view valid until the next push or clear. */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}
