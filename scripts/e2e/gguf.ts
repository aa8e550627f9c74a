// A minimal GGUF v3 writer: enough to write a small model with F32 tensors.
//
// Written in TypeScript rather than with the `gguf` package from PyPI so that the end-to-end run
// needs no Python virtualenv and its model bytes come from code that is type-checked with the rest.
//
// Layout (ggml docs/gguf.md; the reader Ollama uses is fs/ggml/gguf.go): little-endian throughout;
// header = magic "GGUF", u32 version, u64 tensor count, u64 kv count; then the key/values, then the
// tensor infos (name, u32 n_dims, u64 dims fastest-first, u32 ggml type, u64 offset relative to the
// data section); then zero padding to `general.alignment` (32 by default) and the tensor data, each
// tensor starting on an aligned offset.

const GGUF_MAGIC = "GGUF";
const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** gguf_type codes from ggml's gguf.h. */
const GgufValueType = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

/** ggml_type codes; only F32 is written here (plain, exact, and fine on the CPU for a tiny model). */
const GgmlType = { f32: 0 } as const;

type GgufScalar =
  | { type: "uint32"; value: number }
  | { type: "int32"; value: number }
  | { type: "float32"; value: number }
  | { type: "uint64"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string };

type GgufArray =
  | { type: "array"; of: "string"; values: readonly string[] }
  | { type: "array"; of: "float32"; values: readonly number[] }
  | { type: "array"; of: "int32"; values: readonly number[] };

export type GgufValue = GgufScalar | GgufArray;

export interface GgufTensor {
  name: string;
  /** Dimensions fastest-varying first, as ggml's ne[]: a [rows x cols] matrix is [cols, rows]. */
  dims: readonly number[];
  data: Float32Array;
}

export interface GgufFile {
  metadata: ReadonlyArray<readonly [string, GgufValue]>;
  tensors: readonly GgufTensor[];
  alignment?: number;
}

/** Grows a byte buffer as values are appended. */
class ByteSink {
  private buf = Buffer.alloc(1 << 16);
  private len = 0;

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u32(v: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }

  i32(v: number): void {
    this.reserve(4);
    this.buf.writeInt32LE(v, this.len);
    this.len += 4;
  }

  u64(v: bigint): void {
    this.reserve(8);
    this.buf.writeBigUInt64LE(v, this.len);
    this.len += 8;
  }

  f32(v: number): void {
    this.reserve(4);
    this.buf.writeFloatLE(v, this.len);
    this.len += 4;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf.writeUInt8(v, this.len);
    this.len += 1;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** GGUF strings are a u64 byte length then UTF-8 bytes, no terminator. */
  str(s: string): void {
    const b = Buffer.from(s, "utf8");
    this.u64(BigInt(b.length));
    this.bytes(b);
  }

  padTo(alignment: number): void {
    const rem = this.len % alignment;
    if (rem !== 0) this.bytes(new Uint8Array(alignment - rem));
  }

  result(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

function writeValue(sink: ByteSink, value: GgufValue): void {
  switch (value.type) {
    case "uint32":
      sink.u32(GgufValueType.uint32);
      sink.u32(value.value);
      return;
    case "int32":
      sink.u32(GgufValueType.int32);
      sink.i32(value.value);
      return;
    case "float32":
      sink.u32(GgufValueType.float32);
      sink.f32(value.value);
      return;
    case "uint64":
      sink.u32(GgufValueType.uint64);
      sink.u64(value.value);
      return;
    case "bool":
      sink.u32(GgufValueType.bool);
      sink.u8(value.value ? 1 : 0);
      return;
    case "string":
      sink.u32(GgufValueType.string);
      sink.str(value.value);
      return;
    case "array":
      sink.u32(GgufValueType.array);
      sink.u32(GgufValueType[value.of]);
      sink.u64(BigInt(value.values.length));
      if (value.of === "string") for (const s of value.values) sink.str(s);
      else if (value.of === "float32") for (const f of value.values) sink.f32(f);
      else for (const i of value.values) sink.i32(i);
      return;
  }
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/** Serialises a GGUF file. Throws on a tensor whose data does not match its dimensions. */
export function encodeGguf(file: GgufFile): Buffer {
  const alignment = file.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  const metadata = [...file.metadata];
  if (file.alignment !== undefined && !metadata.some(([k]) => k === "general.alignment")) {
    metadata.push(["general.alignment", { type: "uint32", value: alignment }]);
  }

  const sink = new ByteSink();
  sink.bytes(Buffer.from(GGUF_MAGIC, "ascii"));
  sink.u32(GGUF_VERSION);
  sink.u64(BigInt(file.tensors.length));
  sink.u64(BigInt(metadata.length));

  for (const [key, value] of metadata) {
    sink.str(key);
    writeValue(sink, value);
  }

  let offset = 0;
  const offsets: number[] = [];
  for (const t of file.tensors) {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    if (elements !== t.data.length) {
      throw new Error(`tensor ${t.name}: dims ${t.dims.join("x")} hold ${elements} values, data has ${t.data.length}`);
    }
    sink.str(t.name);
    sink.u32(t.dims.length);
    for (const d of t.dims) sink.u64(BigInt(d));
    sink.u32(GgmlType.f32);
    sink.u64(BigInt(offset));
    offsets.push(offset);
    offset = alignUp(offset + t.data.byteLength, alignment);
  }

  sink.padTo(alignment);
  const dataStart = sink.length;
  file.tensors.forEach((t, i) => {
    const want = dataStart + (offsets[i] ?? 0);
    if (sink.length < want) sink.bytes(new Uint8Array(want - sink.length));
    sink.bytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  });
  sink.padTo(alignment);
  return sink.result();
}
