// A tiny llama-architecture model with random weights and a byte-level tokenizer, generated
// locally (no weight downloads). It exists to exercise an engine's load/unload/stream machinery,
// not to say anything sensible.
//
// Keys and tensor shapes follow llama.cpp's loader for LLM_ARCH_LLAMA (src/llama-model.cpp,
// load_hparams / load_tensors) and its SPM vocabulary (src/llama-vocab.cpp: tokenizer model
// "llama", bos=1, eos=2, unk=0 by default, and byte-fallback tokens spelled "<0xXX>", which must
// include "<0x0A>" for the newline). Ollama runs "llama" models on that llama.cpp runner.

import { prng } from "../soak/prng.js";
import type { GgufFile, GgufTensor, GgufValue } from "./gguf.js";

export interface TinyModelSpec {
  /** Distinct seeds give distinct files, hence distinct blobs and distinct loaded models in Ollama. */
  seed: number;
  name: string;
  embedding: number;
  heads: number;
  layers: number;
  feedForward: number;
  contextLength: number;
}

export const DEFAULT_TINY_MODEL: Omit<TinyModelSpec, "seed" | "name"> = {
  embedding: 64,
  heads: 4,
  layers: 2,
  feedForward: 128,
  contextLength: 4096,
};

// llama.cpp llama_token_type values (include/llama.h).
const TOKEN_TYPE_NORMAL = 1;
const TOKEN_TYPE_UNKNOWN = 2;
const TOKEN_TYPE_CONTROL = 3;
const TOKEN_TYPE_BYTE = 6;

const SPECIAL_TOKENS = ["<unk>", "<s>", "</s>"] as const;
const BOS_ID = 1;
export const EOS_ID = 2;

/** Byte tokens come right after the three specials, so byte b is token 3 + b. */
export function byteTokenId(byte: number): number {
  return SPECIAL_TOKENS.length + byte;
}

export interface Vocabulary {
  tokens: string[];
  types: number[];
}

export function byteLevelVocabulary(): Vocabulary {
  const tokens: string[] = [...SPECIAL_TOKENS];
  const types = [TOKEN_TYPE_UNKNOWN, TOKEN_TYPE_CONTROL, TOKEN_TYPE_CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(TOKEN_TYPE_BYTE);
  }
  // A normal (non-byte) token for the SPM word-boundary marker keeps the vocabulary ordinary.
  tokens.push("\u2581");
  types.push(TOKEN_TYPE_NORMAL);
  return { tokens, types };
}

/** The same spec always yields the same bytes (and digest). */
export const seededRandom = prng;

function isPrintableAsciiToken(id: number): boolean {
  const byte = id - SPECIAL_TOKENS.length;
  return byte >= 0x20 && byte <= 0x7e;
}

/**
 * Builds the model. One residual dimension (the "anchor", index 0) is held at a large constant:
 * the embedding sets it, and no attention or feed-forward output writes to it. Every token that
 * is not printable ASCII (including </s>) gets a strongly negative weight on that dimension only,
 * so those logits are always far below the printable ones. Hence the model never ends a reply on
 * its own and never emits partial UTF-8: replies run to num_predict, in visible ASCII, whatever
 * the sampler settings. That makes stream lengths predictable for the tests.
 */
export function tinyLlamaModel(spec: TinyModelSpec): GgufFile {
  const { embedding: nEmbd, heads, layers, feedForward: nFf, contextLength } = spec;
  if (nEmbd % heads !== 0) throw new Error(`embedding ${nEmbd} is not divisible by heads ${heads}`);
  const vocab = byteLevelVocabulary();
  const nVocab = vocab.tokens.length;
  const rand = seededRandom(spec.seed);
  const uniform = (scale: number): number => (rand() * 2 - 1) * scale;
  const ANCHOR = 0;
  const ANCHOR_VALUE = 8;
  const SUPPRESS = -10;

  const tensors: GgufTensor[] = [];
  /** A matrix with `rows` outputs of `cols` inputs: ggml dims [cols, rows], row-major. */
  const matrix = (name: string, cols: number, rows: number, fill: (row: number, col: number) => number): void => {
    const data = new Float32Array(cols * rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = fill(r, c);
    tensors.push({ name, dims: [cols, rows], data });
  };
  const ones = (name: string, n: number): void => {
    tensors.push({ name, dims: [n], data: new Float32Array(n).fill(1) });
  };

  matrix("token_embd.weight", nEmbd, nVocab, (_t, c) => (c === ANCHOR ? ANCHOR_VALUE : uniform(1)));
  ones("output_norm.weight", nEmbd);
  matrix("output.weight", nEmbd, nVocab, (t, c) => {
    if (isPrintableAsciiToken(t)) return c === ANCHOR ? 0 : uniform(0.5);
    return c === ANCHOR ? SUPPRESS : 0;
  });
  for (let i = 0; i < layers; i++) {
    const blk = `blk.${i}`;
    ones(`${blk}.attn_norm.weight`, nEmbd);
    matrix(`${blk}.attn_q.weight`, nEmbd, nEmbd, () => uniform(0.1));
    matrix(`${blk}.attn_k.weight`, nEmbd, nEmbd, () => uniform(0.1));
    matrix(`${blk}.attn_v.weight`, nEmbd, nEmbd, () => uniform(0.1));
    matrix(`${blk}.attn_output.weight`, nEmbd, nEmbd, (r) => (r === ANCHOR ? 0 : uniform(0.1)));
    ones(`${blk}.ffn_norm.weight`, nEmbd);
    matrix(`${blk}.ffn_gate.weight`, nEmbd, nFf, () => uniform(0.1));
    matrix(`${blk}.ffn_up.weight`, nEmbd, nFf, () => uniform(0.1));
    matrix(`${blk}.ffn_down.weight`, nFf, nEmbd, (r) => (r === ANCHOR ? 0 : uniform(0.1)));
  }

  const u32 = (value: number): GgufValue => ({ type: "uint32", value });
  const metadata: Array<[string, GgufValue]> = [
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.name", { type: "string", value: spec.name }],
    ["general.file_type", u32(0)], // all F32
    ["llama.context_length", u32(contextLength)],
    ["llama.embedding_length", u32(nEmbd)],
    ["llama.block_count", u32(layers)],
    ["llama.feed_forward_length", u32(nFf)],
    ["llama.attention.head_count", u32(heads)],
    ["llama.attention.head_count_kv", u32(heads)],
    ["llama.attention.layer_norm_rms_epsilon", { type: "float32", value: 1e-5 }],
    ["llama.rope.dimension_count", u32(nEmbd / heads)],
    ["llama.rope.freq_base", { type: "float32", value: 10000 }],
    ["llama.vocab_size", u32(nVocab)],
    ["tokenizer.ggml.model", { type: "string", value: "llama" }],
    ["tokenizer.ggml.tokens", { type: "array", of: "string", values: vocab.tokens }],
    ["tokenizer.ggml.scores", { type: "array", of: "float32", values: vocab.tokens.map(() => 0) }],
    ["tokenizer.ggml.token_type", { type: "array", of: "int32", values: vocab.types }],
    ["tokenizer.ggml.bos_token_id", u32(BOS_ID)],
    ["tokenizer.ggml.eos_token_id", u32(EOS_ID)],
    ["tokenizer.ggml.unknown_token_id", u32(0)],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
    ["tokenizer.ggml.add_eos_token", { type: "bool", value: false }],
  ];
  return { metadata, tensors };
}
