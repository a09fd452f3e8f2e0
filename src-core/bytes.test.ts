import { describe, expect, it } from 'vitest';
import { concatBytes, decodeUtf8 } from './bytes';
import { utf8 } from './classify/onnx/protobuf';

describe('bytes', () => {
  it('decodes what utf8() encodes (1- to 4-byte sequences) and marks broken ones', () => {
    for (const s of ['conv1/kernel', 'θE ± σ', 'grad:s1u1_bn0/γ', '🔭 lens']) expect(decodeUtf8(utf8(s))).toBe(s);
    expect(decodeUtf8(Uint8Array.of(0x61, 0xe2, 0x82))).toBe('a\ufffd'); // truncated 3-byte sequence
    expect(decodeUtf8(utf8('xθy'), 1, 3)).toBe('θ');
  });
  it('concatenates in order', () => {
    expect(Array.from(concatBytes([Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)]))).toEqual([1, 2, 3]);
  });
});
