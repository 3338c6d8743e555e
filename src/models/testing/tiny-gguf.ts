import { writeFileSync } from 'node:fs';

/**
 * Writes a minimal llama-architecture GGUF (v3, F32, one block, byte-fallback SentencePiece vocab,
 * seeded random weights) — about 150 KB — so the local-engine tests need no downloaded file.
 * Output is gibberish by design. Test helper, not used in production.
 */

const T = { u32: 4, i32: 5, f32: 6, str: 8, arr: 9 } as const;

class Writer {
  private chunks: Buffer[] = [];
  size = 0;
  private push(b: Buffer) {
    this.chunks.push(b);
    this.size += b.length;
  }
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string) {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  raw(b: Buffer) {
    this.push(b);
  }
  pad(align: number) {
    const n = (align - (this.size % align)) % align;
    if (n) this.push(Buffer.alloc(n));
  }
  buffer() {
    return Buffer.concat(this.chunks);
  }
}

type Kv =
  | [string, 'u32', number]
  | [string, 'f32', number]
  | [string, 'str', string]
  | [string, 'strs', string[]]
  | [string, 'f32s', number[]]
  | [string, 'i32s', number[]];

function writeKv(w: Writer, [key, kind, value]: Kv) {
  w.str(key);
  if (kind === 'u32') {
    w.u32(T.u32);
    w.u32(value);
  } else if (kind === 'f32') {
    w.u32(T.f32);
    w.f32(value);
  } else if (kind === 'str') {
    w.u32(T.str);
    w.str(value);
  } else {
    w.u32(T.arr);
    w.u32(kind === 'strs' ? T.str : kind === 'f32s' ? T.f32 : T.i32);
    w.u64(value.length);
    for (const v of value as (string | number)[]) {
      if (kind === 'strs') w.str(v as string);
      else if (kind === 'f32s') w.f32(v as number);
      else w.i32(v as number);
    }
  }
}

export function writeTinyGguf(path: string, seed = 42): void {
  const nEmbd = 32;
  const nHead = 4;
  const nFf = 64;
  const words = [
    '▁',
    '▁le',
    '▁la',
    '▁de',
    '▁carte',
    '▁droit',
    '▁aide',
    'e',
    's',
    'a',
    'i',
    'o',
    'n',
    'r',
    't',
    'l',
  ];
  const tokens = [
    '<unk>',
    '<s>',
    '</s>',
    ...Array.from({ length: 256 }, (_, i) => `<0x${i.toString(16).toUpperCase().padStart(2, '0')}>`),
    ...words,
  ];
  const types = tokens.map((t, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
  const scores = tokens.map((_, i) => (i < 259 ? 0 : -i));
  const nVocab = tokens.length;

  let state = seed >>> 0;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const tensors: Array<{ name: string; dims: number[]; fill: 'one' | 'rand' }> = [
    { name: 'token_embd.weight', dims: [nEmbd, nVocab], fill: 'rand' },
    { name: 'output_norm.weight', dims: [nEmbd], fill: 'one' },
    { name: 'output.weight', dims: [nEmbd, nVocab], fill: 'rand' },
    { name: 'blk.0.attn_norm.weight', dims: [nEmbd], fill: 'one' },
    { name: 'blk.0.attn_q.weight', dims: [nEmbd, nEmbd], fill: 'rand' },
    { name: 'blk.0.attn_k.weight', dims: [nEmbd, nEmbd], fill: 'rand' },
    { name: 'blk.0.attn_v.weight', dims: [nEmbd, nEmbd], fill: 'rand' },
    { name: 'blk.0.attn_output.weight', dims: [nEmbd, nEmbd], fill: 'rand' },
    { name: 'blk.0.ffn_norm.weight', dims: [nEmbd], fill: 'one' },
    { name: 'blk.0.ffn_gate.weight', dims: [nEmbd, nFf], fill: 'rand' },
    { name: 'blk.0.ffn_up.weight', dims: [nEmbd, nFf], fill: 'rand' },
    { name: 'blk.0.ffn_down.weight', dims: [nFf, nEmbd], fill: 'rand' },
  ];
  const kvs: Kv[] = [
    ['general.architecture', 'str', 'llama'],
    ['general.name', 'str', 'guichet-tiny-test'],
    ['llama.context_length', 'u32', 2048],
    ['llama.embedding_length', 'u32', nEmbd],
    ['llama.block_count', 'u32', 1],
    ['llama.feed_forward_length', 'u32', nFf],
    ['llama.attention.head_count', 'u32', nHead],
    ['llama.attention.head_count_kv', 'u32', nHead],
    ['llama.rope.dimension_count', 'u32', nEmbd / nHead],
    ['llama.attention.layer_norm_rms_epsilon', 'f32', 1e-5],
    ['tokenizer.ggml.model', 'str', 'llama'],
    ['tokenizer.ggml.tokens', 'strs', tokens],
    ['tokenizer.ggml.scores', 'f32s', scores],
    ['tokenizer.ggml.token_type', 'i32s', types],
    ['tokenizer.ggml.unknown_token_id', 'u32', 0],
    ['tokenizer.ggml.bos_token_id', 'u32', 1],
    ['tokenizer.ggml.eos_token_id', 'u32', 2],
  ];

  const w = new Writer();
  w.raw(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kvs.length);
  kvs.forEach((kv) => writeKv(w, kv));
  let offset = 0;
  const datas: Buffer[] = [];
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.dims.length);
    t.dims.forEach((d) => w.u64(d));
    w.u32(0); // F32
    w.u64(offset);
    const n = t.dims.reduce((a, b) => a * b, 1);
    const data = Buffer.alloc(Math.ceil((n * 4) / 32) * 32);
    for (let i = 0; i < n; i++) data.writeFloatLE(t.fill === 'one' ? 1 : rand() * 0.4, i * 4);
    datas.push(data);
    offset += data.length;
  }
  w.pad(32);
  datas.forEach((d) => w.raw(d));
  writeFileSync(path, w.buffer());
}
