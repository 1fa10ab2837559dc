// The file tail: the last byte gives the PostScript's length; the PostScript (never compressed) gives the
// codec and the sizes of the Footer (schema, stripes, file statistics) and Metadata (stripe statistics)
// stored just before it. Every length is checked against the file size before anything is read.
import { CODEC_NAMES } from './codecs.js';
import { Decompressor } from './compression.js';
import { orcError } from './cursor.js';
import { decodeMessage, FooterMsg, has, int64Number, MetadataMsg } from './proto.js';
import { buildSchema, OrcType } from './schema.js';

/** The caller's random access to the object. */
export interface OrcSource {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface StripeInfo {
  offset: number;
  indexLength: number;
  dataLength: number;
  footerLength: number;
  numberOfRows: number;
}

export interface OrcTail {
  fileSize: number;
  /** [major, minor] of the PostScript. */
  version: number[];
  writerVersion: number;
  decompressor: Decompressor;
  footer: FooterMsg;
  schema: OrcType;
  stripes: StripeInfo[];
  numberOfRows: number;
  metadataOffset: number;
  metadataLength: number;
}

const HEADER = 3;
const TAIL_GUESS = 16 * 1024;
const DEFAULT_BLOCK = 262144;
/** Chunk outputs are allocated up to the block size (LZ4 needs it up front), so cap it. */
const MAX_BLOCK = 64 * 1024 * 1024;

/** Reads exactly `length` bytes at `offset`, after checking the range lies inside the file. */
export async function readRange(file: OrcSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > file.size) {
    throw orcError(`${what} lies outside the file (offset ${offset}, length ${length}, file size ${file.size})`);
  }
  if (length === 0) return new Uint8Array(0);
  const bytes = await file.read(offset, length);
  if (bytes.length < length) throw orcError(`${what}: the file is truncated`);
  return bytes.length === length ? bytes : bytes.subarray(0, length);
}

function isOrcMagic(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0x4f && b[1] === 0x52 && b[2] === 0x43;
}

export async function readTail(file: OrcSource): Promise<OrcTail> {
  const size = file.size;
  if (!Number.isSafeInteger(size) || size < HEADER + 1) throw orcError('not an ORC file (too small)');
  const guess = Math.min(size, TAIL_GUESS);
  let tail = await readRange(file, size - guess, guess, 'file tail');
  let tailStart = size - guess;

  const psLength = tail[tail.length - 1];
  if (psLength === 0 || psLength + 1 + HEADER > size) throw orcError('not an ORC file (bad PostScript length)');
  const ps = decodeMessage('PostScript', tail.subarray(tail.length - 1 - psLength, tail.length - 1), 'PostScript');
  if (has(ps, 'magic') ? ps.magic !== 'ORC' : !isOrcMagic(await readRange(file, 0, HEADER, 'file header'))) {
    throw orcError('not an ORC file (bad magic)');
  }

  const codec = CODEC_NAMES[ps.compression ?? 0];
  if (!codec) throw orcError(`unknown compression kind ${ps.compression}`);
  const blockSize = has(ps, 'compressionBlockSize') ? int64Number(ps.compressionBlockSize, 'compression block size') : DEFAULT_BLOCK;
  if (blockSize < 1 || blockSize > MAX_BLOCK) throw orcError(`compression block size ${blockSize} is not supported`);
  const decompressor = new Decompressor(codec, blockSize);

  const footerLength = int64Number(ps.footerLength, 'footer length');
  const metadataLength = int64Number(ps.metadataLength, 'metadata length');
  const footerEnd = size - 1 - psLength;
  const footerStart = footerEnd - footerLength;
  const metadataOffset = footerStart - metadataLength;
  if (metadataOffset < HEADER) throw orcError('footer and metadata lengths exceed the file size');
  if (footerStart < tailStart) {
    tail = await readRange(file, footerStart, footerEnd - footerStart, 'footer');
    tailStart = footerStart;
  }
  const footerBytes = decompressor.decompress(tail.subarray(footerStart - tailStart, footerEnd - tailStart), 'footer');
  const footer = decodeMessage('Footer', footerBytes, 'footer');

  const schema = buildSchema(footer.types ?? []);
  const stripes = (footer.stripes ?? []).map((s, i): StripeInfo => {
    const info = {
      offset: int64Number(s.offset, `stripe ${i} offset`),
      indexLength: int64Number(s.indexLength, `stripe ${i} index length`),
      dataLength: int64Number(s.dataLength, `stripe ${i} data length`),
      footerLength: int64Number(s.footerLength, `stripe ${i} footer length`),
      numberOfRows: int64Number(s.numberOfRows, `stripe ${i} row count`),
    };
    const end = info.offset + info.indexLength + info.dataLength + info.footerLength;
    if (info.offset < HEADER || end > metadataOffset) throw orcError(`stripe ${i} lies outside the file`);
    // a row costs at least a few bits in some stream, so a stripe cannot claim rows it has no room for
    if (info.numberOfRows > 1024 * (end - info.offset + 1)) throw orcError(`stripe ${i} claims an impossible row count`);
    return info;
  });

  return {
    fileSize: size,
    version: ps.version ?? [],
    writerVersion: ps.writerVersion ?? 0,
    decompressor,
    footer,
    schema,
    stripes,
    numberOfRows: int64Number(footer.numberOfRows, 'row count'),
    metadataOffset,
    metadataLength,
  };
}

/** Stripe statistics (one list of column statistics per stripe); empty when the file has none. */
export async function readMetadata(file: OrcSource, tail: OrcTail): Promise<MetadataMsg> {
  if (tail.metadataLength === 0) return {};
  const raw = await readRange(file, tail.metadataOffset, tail.metadataLength, 'metadata');
  return decodeMessage('Metadata', tail.decompressor.decompress(raw, 'metadata'), 'metadata');
}
