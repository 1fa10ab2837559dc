// Type declarations for the two small decompressors that ship without them (only what codecs.ts uses).
declare module 'snappyjs' {
  /** Decodes a raw Snappy block; throws when its declared length exceeds `maxLength`. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
}

declare module 'lz4js' {
  /** Decodes a raw LZ4 block (no frame) from src[sIndex, sIndex+sLength) into dst at dIndex; returns the
   *  end index in dst, which exceeds dst.length when the block decodes to more than fits (bytes dropped). */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
}
