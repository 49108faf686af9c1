/**
 * A dependency-free protobuf wire-format reader and writer: just enough to read ONNX ModelProto (inspect) and to
 * write small models (tests, the demo model). Pulling in protobufjs + onnx.proto would cost more than these 150 lines.
 */

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** Malformed bytes: a field runs past the end (truncated file) or a wire type that protobuf does not have. */
export class ProtoError extends Error {
  constructor(
    message: string,
    readonly truncated: boolean,
  ) {
    super(message);
    this.name = 'ProtoError';
  }
}

export interface ProtoField {
  field: number;
  wire: number;
  /** For varints: the value (int64 fields keep their sign). */
  value: number;
  /** For length-delimited fields: start and end offsets in the reader's buffer. */
  start: number;
  end: number;
}

export class ProtoReader {
  constructor(
    readonly buf: Uint8Array,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint as a JS number; 10-byte negative int64 values come back negative, huge ones lose precision. */
  varint(): number {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoError(`varint runs past the end at byte ${this.pos}`, true);
      const b = this.buf[this.pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if ((b & 0x80) === 0) {
        lo >>>= 0;
        if (hi & 0x80000000) return -((~hi >>> 0) * 4294967296 + ((~lo >>> 0) + 1));
        return (hi >>> 0) * 4294967296 + lo;
      }
    }
    throw new ProtoError(`varint longer than 10 bytes at byte ${this.pos}`, false);
  }

  /** Next field of the message, or null at its end. Skips nothing: the caller decides. */
  next(): ProtoField | null {
    if (this.pos >= this.end) return null;
    const at = this.pos;
    const key = this.varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 0) throw new ProtoError(`field number 0 at byte ${at}`, false);
    switch (wire) {
      case WIRE_VARINT:
        return { field, wire, value: this.varint(), start: 0, end: 0 };
      case WIRE_I64:
        return this.fixed(field, wire, 8);
      case WIRE_I32:
        return this.fixed(field, wire, 4);
      case WIRE_LEN: {
        const len = this.varint();
        const start = this.pos;
        if (len < 0 || start + len > this.end) {
          throw new ProtoError(`field ${field} at byte ${at} needs ${len} bytes, only ${this.end - start} left`, true);
        }
        this.pos = start + len;
        return { field, wire, value: len, start, end: start + len };
      }
      default:
        throw new ProtoError(`unsupported wire type ${wire} at byte ${at}`, false);
    }
  }

  private fixed(field: number, wire: number, size: number): ProtoField {
    const start = this.pos;
    if (start + size > this.end) throw new ProtoError(`fixed field ${field} runs past the end at byte ${start}`, true);
    this.pos += size;
    return { field, wire, value: 0, start, end: start + size };
  }

  sub(f: ProtoField): ProtoReader {
    return new ProtoReader(this.buf, f.start, f.end);
  }

  string(f: ProtoField): string {
    return new TextDecoder('utf-8').decode(this.buf.subarray(f.start, f.end));
  }

  bytes(f: ProtoField): Uint8Array {
    return this.buf.subarray(f.start, f.end);
  }

  /** Values of a repeated varint field, packed (wire 2) or not (wire 0). */
  varints(f: ProtoField): number[] {
    if (f.wire === WIRE_VARINT) return [f.value];
    const r = this.sub(f);
    const out: number[] = [];
    while (!r.done) out.push(r.varint());
    return out;
  }

  float32(f: ProtoField): number {
    return new DataView(this.buf.buffer, this.buf.byteOffset + f.start, 4).getFloat32(0, true);
  }
}

/** Builds one message; nested messages are built separately and added with `message()`. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];

  private raw(bytes: Uint8Array | number[]): void {
    this.chunks.push(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  }

  private static varintBytes(value: number | bigint): number[] {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      out.push(b);
    } while (v !== 0n);
    return out;
  }

  private key(field: number, wire: number): void {
    this.raw(ProtoWriter.varintBytes(field * 8 + wire));
  }

  int(field: number, value: number | bigint): this {
    this.key(field, WIRE_VARINT);
    this.raw(ProtoWriter.varintBytes(value));
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, WIRE_I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.raw(b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.key(field, WIRE_LEN);
    this.raw(ProtoWriter.varintBytes(data.length));
    this.raw(data);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  packedInts(field: number, values: readonly (number | bigint)[]): this {
    return this.bytes(field, Uint8Array.from(values.flatMap((v) => ProtoWriter.varintBytes(v))));
  }

  finish(): Uint8Array {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
