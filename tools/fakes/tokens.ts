// A deterministic toy tokenizer: one token per word (with its leading spaces) and one per
// punctuation mark. Every count the fakes report (usage, /tokenize, context checks) uses it.

const TOKEN_PATTERN = /\s*[\p{L}\p{N}_]+|\s*[^\s\p{L}\p{N}_]|\s+$/gu;

export function tokenPieces(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

export function countTokens(text: string): number {
  return tokenPieces(text).length;
}

/** Stable id per piece (FNV-1a, folded into a 32k vocabulary). */
export function tokenId(piece: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < piece.length; i++) {
    hash ^= piece.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 32000;
}

export function tokenize(text: string): number[] {
  return tokenPieces(text).map(tokenId);
}

/** The toy chat template: what /apply-template returns and what prompt tokens are counted on. */
export function applyChatTemplate(messages: { role: string; content: string }[]): string {
  return messages.map((m) => `<|${m.role}|>\n${m.content}\n`).join("") + "<|assistant|>\n";
}
