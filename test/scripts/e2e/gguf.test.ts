// The GGUF writer and the tiny model, read back by an independent reader written from the format
// description (ggml docs/gguf.md). No engine needed, so it runs with `npm test`; the engine-facing
// proof is test/e2e/ollama-facts.test.ts.

import { describe, expect, it } from "vitest";
import { encodeGguf, GGUF_DEFAULT_ALIGNMENT, type GgufFile } from "../../../scripts/e2e/gguf.js";
import { byteLevelVocabulary, byteTokenId, DEFAULT_TINY_MODEL, EOS_ID, seededRandom, tinyLlamaModel } from "../../../scripts/e2e/tiny-model.js";

interface ReadTensor {
  name: string;
  dims: number[];
  type: number;
  offset: number;
}

interface ReadFile {
  version: number;
  kv: Map<string, unknown>;
  tensors: ReadTensor[];
  dataStart: number;
}

function readGguf(buf: Buffer): ReadFile {
  let at = 0;
  const u32 = (): number => {
    const v = buf.readUInt32LE(at);
    at += 4;
    return v;
  };
  const u64 = (): number => {
    const v = Number(buf.readBigUInt64LE(at));
    at += 8;
    return v;
  };
  const str = (): string => {
    const n = u64();
    const s = buf.toString("utf8", at, at + n);
    at += n;
    return s;
  };
  const value = (type: number): unknown => {
    switch (type) {
      case 4:
        return u32();
      case 5: {
        const v = buf.readInt32LE(at);
        at += 4;
        return v;
      }
      case 6: {
        const v = buf.readFloatLE(at);
        at += 4;
        return v;
      }
      case 7:
        return buf.readUInt8(at++) === 1;
      case 8:
        return str();
      case 9: {
        const of = u32();
        const n = u64();
        return Array.from({ length: n }, () => value(of));
      }
      case 10:
        return u64();
      default:
        throw new Error(`unexpected value type ${type}`);
    }
  };
  expect(buf.toString("ascii", 0, 4)).toBe("GGUF");
  at = 4;
  const version = u32();
  const nTensors = u64();
  const nKv = u64();
  const kv = new Map<string, unknown>();
  for (let i = 0; i < nKv; i++) {
    const key = str();
    kv.set(key, value(u32()));
  }
  const tensors: ReadTensor[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = str();
    const nDims = u32();
    const dims = Array.from({ length: nDims }, () => u64());
    tensors.push({ name, dims, type: u32(), offset: u64() });
  }
  const alignment = (kv.get("general.alignment") as number | undefined) ?? GGUF_DEFAULT_ALIGNMENT;
  return { version, kv, tensors, dataStart: Math.ceil(at / alignment) * alignment };
}

function tensorData(buf: Buffer, file: ReadFile, name: string): Float32Array {
  const t = file.tensors.find((x) => x.name === name);
  if (!t) throw new Error(`no tensor ${name}`);
  const n = t.dims.reduce((a, b) => a * b, 1);
  const start = file.dataStart + t.offset;
  return new Float32Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + n * 4));
}

describe("GGUF writer", () => {
  const small: GgufFile = {
    metadata: [
      ["general.architecture", { type: "string", value: "llama" }],
      ["a.u32", { type: "uint32", value: 7 }],
      ["a.i32", { type: "int32", value: -3 }],
      ["a.f32", { type: "float32", value: 0.5 }],
      ["a.bool", { type: "bool", value: true }],
      ["a.u64", { type: "uint64", value: 1n << 40n }],
      ["a.strs", { type: "array", of: "string", values: ["x", "ÿ", ""] }],
      ["a.ints", { type: "array", of: "int32", values: [1, -1] }],
    ],
    tensors: [
      { name: "odd", dims: [3], data: Float32Array.from([1, 2, 3]) },
      { name: "m", dims: [2, 2], data: Float32Array.from([4, 5, 6, 7]) },
    ],
  };

  it("writes version 3, every key/value and tensor info, readable back", () => {
    const buf = encodeGguf(small);
    const file = readGguf(buf);
    expect(file.version).toBe(3);
    expect(Object.fromEntries(file.kv)).toEqual({
      "general.architecture": "llama",
      "a.u32": 7,
      "a.i32": -3,
      "a.f32": 0.5,
      "a.bool": true,
      "a.u64": 2 ** 40,
      "a.strs": ["x", "ÿ", ""],
      "a.ints": [1, -1],
    });
    expect(file.tensors.map((t) => [t.name, t.dims, t.type])).toEqual([
      ["odd", [3], 0],
      ["m", [2, 2], 0],
    ]);
  });

  it("aligns the data section and every tensor offset, and stores the values exactly", () => {
    const buf = encodeGguf(small);
    const file = readGguf(buf);
    expect(file.dataStart % GGUF_DEFAULT_ALIGNMENT).toBe(0);
    for (const t of file.tensors) expect(t.offset % GGUF_DEFAULT_ALIGNMENT).toBe(0);
    expect([...tensorData(buf, file, "odd")]).toEqual([1, 2, 3]);
    expect([...tensorData(buf, file, "m")]).toEqual([4, 5, 6, 7]);
    expect(buf.length % GGUF_DEFAULT_ALIGNMENT).toBe(0);
  });

  it("honours a custom alignment and records it as general.alignment", () => {
    const buf = encodeGguf({ ...small, alignment: 64 });
    const file = readGguf(buf);
    expect(file.kv.get("general.alignment")).toBe(64);
    expect(file.dataStart % 64).toBe(0);
    expect(file.tensors[1]?.offset).toBe(64);
  });

  it("refuses a tensor whose data does not match its dimensions", () => {
    expect(() => encodeGguf({ metadata: [], tensors: [{ name: "bad", dims: [2, 2], data: new Float32Array(3) }] })).toThrow(/bad/);
  });
});

describe("tiny model", () => {
  const spec = { ...DEFAULT_TINY_MODEL, seed: 7, name: "t" };
  const buf = encodeGguf(tinyLlamaModel(spec));
  const file = readGguf(buf);

  it("is a few hundred KB of llama with a byte-level vocabulary", () => {
    expect(buf.length).toBeLessThan(2 * 1024 * 1024);
    expect(file.kv.get("general.architecture")).toBe("llama");
    expect(file.kv.get("tokenizer.ggml.model")).toBe("llama");
    const tokens = file.kv.get("tokenizer.ggml.tokens") as string[];
    expect(tokens[byteTokenId(0x0a)]).toBe("<0x0A>");
    expect(tokens).toHaveLength(byteLevelVocabulary().tokens.length);
    expect(file.kv.get("llama.context_length")).toBe(DEFAULT_TINY_MODEL.contextLength);
  });

  it("has every tensor llama.cpp requires for the llama architecture, with its shape", () => {
    const e = DEFAULT_TINY_MODEL.embedding;
    const ff = DEFAULT_TINY_MODEL.feedForward;
    const v = byteLevelVocabulary().tokens.length;
    const shapes = new Map(file.tensors.map((t) => [t.name, t.dims]));
    expect(shapes.get("token_embd.weight")).toEqual([e, v]);
    expect(shapes.get("output.weight")).toEqual([e, v]);
    for (let i = 0; i < DEFAULT_TINY_MODEL.layers; i++) {
      expect(shapes.get(`blk.${i}.attn_q.weight`)).toEqual([e, e]);
      expect(shapes.get(`blk.${i}.ffn_gate.weight`)).toEqual([e, ff]);
      expect(shapes.get(`blk.${i}.ffn_down.weight`)).toEqual([ff, e]);
    }
  });

  it("suppresses </s> and non-printable bytes on the anchor dimension only", () => {
    const e = DEFAULT_TINY_MODEL.embedding;
    const out = tensorData(buf, file, "output.weight");
    const row = (t: number): number[] => [...out.slice(t * e, (t + 1) * e)];
    expect(row(EOS_ID)[0]).toBeLessThan(0);
    expect(
      row(EOS_ID)
        .slice(1)
        .every((x) => x === 0),
    ).toBe(true);
    expect(row(byteTokenId(0x80))[0]).toBeLessThan(0);
    expect(row(byteTokenId(0x41))[0]).toBe(0);
    expect(
      row(byteTokenId(0x41))
        .slice(1)
        .some((x) => x !== 0),
    ).toBe(true);
  });

  it("is deterministic per seed, and distinct across seeds", () => {
    expect(encodeGguf(tinyLlamaModel(spec)).equals(buf)).toBe(true);
    expect(encodeGguf(tinyLlamaModel({ ...spec, seed: 8 })).equals(buf)).toBe(false);
    const a = seededRandom(1);
    const b = seededRandom(1);
    expect([a(), a()]).toEqual([b(), b()]);
  });
});
