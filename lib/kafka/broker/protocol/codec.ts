/**
 * Kafka wire primitives: a bounds-checked Reader over one request frame and a Writer that builds a
 * response as a list of buffers (large byte fields, such as fetched record batches, are kept by
 * reference instead of copied).
 */
const TWO_32 = 2 ** 32;

/** Thrown when a frame does not decode: the server closes that connection. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

export class Reader {
  offset = 0;
  constructor(readonly buf: Buffer, start = 0) {
    this.offset = start;
  }

  private need(n: number): number {
    const at = this.offset;
    if (at + n > this.buf.length) throw new ProtocolError(`frame too short: need ${n} bytes at ${at} of ${this.buf.length}`);
    this.offset = at + n;
    return at;
  }

  remaining(): number {
    return this.buf.length - this.offset;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  int64(): number {
    const at = this.need(8);
    return this.buf.readInt32BE(at) * TWO_32 + this.buf.readUInt32BE(at + 4);
  }
  uvarint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.need(1)];
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
      shift += 7;
      if (shift > 35) throw new ProtocolError("varint longer than 5 bytes");
    }
  }
  /** Signed zig-zag varint, as used inside records. */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  /** Signed zig-zag varlong (timestamp and offset deltas can exceed 32 bits). */
  varlong(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.need(1)];
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 63) throw new ProtocolError("varlong longer than 10 bytes");
    }
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const at = this.need(len);
    return this.buf.toString("utf8", at, at + len);
  }
  string(): string {
    return this.nullableString() ?? "";
  }
  compactNullableString(): string | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    const at = this.need(len);
    return this.buf.toString("utf8", at, at + len);
  }
  bytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    const at = this.need(len);
    return this.buf.subarray(at, at + len);
  }
  /** Compact (flexible) nullable bytes: unsigned varint length + 1, 0 for null. */
  compactBytes(): Buffer | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    const at = this.need(len);
    return this.buf.subarray(at, at + len);
  }
  raw(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
  /** An int32-counted array; null (count -1) gives null. */
  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.int32();
    if (n < 0) return null;
    if (n > this.remaining()) throw new ProtocolError(`array of ${n} items in ${this.remaining()} bytes`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }
  array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }
  compactArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.uvarint() - 1;
    if (n < 0) return null;
    if (n > this.remaining()) throw new ProtocolError(`array of ${n} items in ${this.remaining()} bytes`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }
  /** Skips a tagged-field section (flexible versions). */
  taggedFields(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint();
      this.need(this.uvarint());
    }
  }
}

/** Byte fields at least this long are kept by reference rather than copied. */
const BY_REFERENCE = 4096;

export class Writer {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;
  private total = 0;

  constructor(initial = 512) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.total + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flushChunk();
    this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2, 512));
  }

  private flushChunk(): void {
    if (this.pos > 0) {
      this.chunks.push(this.buf.subarray(0, this.pos));
      this.total += this.pos;
      this.buf = this.buf.subarray(this.pos);
      this.pos = 0;
    }
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }
  int64(v: number): this {
    this.ensure(8);
    const hi = Math.floor(v / TWO_32);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
    this.pos += 8;
    return this;
  }
  uvarint(v: number): this {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
    return this;
  }
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const len = Buffer.byteLength(s);
    this.int16(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos);
    return this;
  }
  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const len = Buffer.byteLength(s);
    this.uvarint(len + 1);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos);
    return this;
  }
  raw(b: Uint8Array): this {
    if (b.length >= BY_REFERENCE) {
      this.flushChunk();
      this.chunks.push(Buffer.from(b.buffer, b.byteOffset, b.length));
      this.total += b.length;
      return this;
    }
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  bytes(b: Uint8Array | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    return this.raw(b);
  }
  /** Bytes given as several pieces (e.g. batches read from different places) with one length prefix. */
  bytesList(parts: Uint8Array[] | null): this {
    if (parts === null) return this.int32(-1);
    this.int32(parts.reduce((n, p) => n + p.length, 0));
    for (const p of parts) this.raw(p);
    return this;
  }
  /** Compact (flexible) form of bytesList: unsigned varint length + 1, 0 for null. */
  compactBytesList(parts: Uint8Array[] | null): this {
    if (parts === null) return this.uvarint(0);
    this.uvarint(parts.reduce((n, p) => n + p.length, 0) + 1);
    for (const p of parts) this.raw(p);
    return this;
  }
  array<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }
  compactArray<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    if (items === null) return this.uvarint(0);
    this.uvarint(items.length + 1);
    for (const v of items) item(this, v);
    return this;
  }
  /** An empty tagged-field section. */
  tagged(): this {
    return this.uvarint(0);
  }

  /** The encoded bytes, as a list of buffers to write in order. */
  toBuffers(): Buffer[] {
    this.flushChunk();
    return this.chunks;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.toBuffers());
  }
}
