// Table-driven CRCs for S3's flexible checksums: CRC32 (zlib), CRC32C (Castagnoli) and CRC64/NVME.
// All three are reflected with init and xorout all ones, so one slicing-by-8 scheme serves them;
// the 64-bit CRC keeps its state as two 32-bit halves so the hot loop never touches BigInt.
import zlib from 'node:zlib';

export type CrcAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME';

/** Incremental CRC state; `digest()` is the big-endian digest S3 base64-encodes. */
export interface Crc {
  update(data: Uint8Array): void;
  digest(): Buffer;
}

/** Eight 256-entry tables for slicing-by-8 of a reflected 32-bit CRC. */
function tables32(poly: number): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + n];
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff];
    }
  }
  return t;
}

function update32(t: Uint32Array, crc: number, b: Uint8Array): number {
  let i = 0;
  const end8 = b.length - (b.length % 8);
  for (; i < end8; i += 8) {
    crc ^= b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    crc =
      t[1792 + (crc & 0xff)] ^ t[1536 + ((crc >>> 8) & 0xff)] ^ t[1280 + ((crc >>> 16) & 0xff)] ^ t[1024 + (crc >>> 24)] ^
      t[768 + b[i + 4]] ^ t[512 + b[i + 5]] ^ t[256 + b[i + 6]] ^ t[b[i + 7]];
  }
  for (; i < b.length; i++) crc = (crc >>> 8) ^ t[(crc ^ b[i]) & 0xff];
  return crc;
}

const CRC32_POLY = 0xedb88320;
const CRC32C_POLY = 0x82f63b78;
/** CRC-64/NVME polynomial 0xAD93D23594C93659, bit-reversed for the right-shifting algorithm. */
const CRC64_POLY_REFLECTED = 0x9a6c9329ac4bc9b5n;
let crc32Table: Uint32Array | undefined;
let crc32cTable: Uint32Array | undefined;

class Crc32 implements Crc {
  private crc = 0;
  private readonly table: Uint32Array | undefined;
  constructor(castagnoli: boolean) {
    if (castagnoli) this.table = crc32cTable ??= tables32(CRC32C_POLY);
    else if (typeof zlib.crc32 !== 'function') this.table = crc32Table ??= tables32(CRC32_POLY);
  }
  update(data: Uint8Array): void {
    // zlib's native CRC32 (Node >= 20.15) is several times faster than any JS loop.
    if (!this.table) this.crc = zlib.crc32(data, this.crc);
    else this.crc = ~update32(this.table, ~this.crc, data) >>> 0;
  }
  digest(): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc >>> 0);
    return out;
  }
}

/** Slicing-by-8 tables for the 64-bit CRC: entry i of table k is (lo, hi) at [2*(k*256+i)], [2*(k*256+i)+1]. */
let crc64Table: Uint32Array | undefined;
function tables64(): Uint32Array {
  const t = new Uint32Array(2 * 8 * 256);
  const polyLo = Number(CRC64_POLY_REFLECTED & 0xffffffffn);
  const polyHi = Number(CRC64_POLY_REFLECTED >> 32n);
  for (let n = 0; n < 256; n++) {
    let lo = n;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ polyLo) >>> 0;
        hi = (hi ^ polyHi) >>> 0;
      }
    }
    t[2 * n] = lo;
    t[2 * n + 1] = hi;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) {
      const p = 2 * ((k - 1) * 256 + n);
      const lo = t[p];
      const hi = t[p + 1];
      const q = 2 * (lo & 0xff);
      t[2 * (k * 256 + n)] = (((lo >>> 8) | (hi << 24)) ^ t[q]) >>> 0;
      t[2 * (k * 256 + n) + 1] = ((hi >>> 8) ^ t[q + 1]) >>> 0;
    }
  }
  return t;
}

class Crc64Nvme implements Crc {
  private lo = 0xffffffff;
  private hi = 0xffffffff;
  private readonly t = (crc64Table ??= tables64());
  update(b: Uint8Array): void {
    const t = this.t;
    let lo = this.lo;
    let hi = this.hi;
    let i = 0;
    const end8 = b.length - (b.length % 8);
    for (; i < end8; i += 8) {
      lo ^= b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
      hi ^= b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24);
      // Table k (k = 7 for the first byte) advances that byte through the remaining 7 - k shifts.
      const a = 2 * (1792 + (lo & 0xff)), c = 2 * (1536 + ((lo >>> 8) & 0xff));
      const d = 2 * (1280 + ((lo >>> 16) & 0xff)), e = 2 * (1024 + (lo >>> 24));
      const f = 2 * (768 + (hi & 0xff)), g = 2 * (512 + ((hi >>> 8) & 0xff));
      const h = 2 * (256 + ((hi >>> 16) & 0xff)), j = 2 * (hi >>> 24);
      lo = t[a] ^ t[c] ^ t[d] ^ t[e] ^ t[f] ^ t[g] ^ t[h] ^ t[j];
      hi = t[a + 1] ^ t[c + 1] ^ t[d + 1] ^ t[e + 1] ^ t[f + 1] ^ t[g + 1] ^ t[h + 1] ^ t[j + 1];
    }
    for (; i < b.length; i++) {
      const q = 2 * ((lo ^ b[i]) & 0xff);
      lo = ((lo >>> 8) | (hi << 24)) ^ t[q];
      hi = (hi >>> 8) ^ t[q + 1];
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }
  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(~this.hi >>> 0, 0);
    out.writeUInt32BE(~this.lo >>> 0, 4);
    return out;
  }
}

export function createCrc(alg: CrcAlgorithm): Crc {
  if (alg === 'CRC64NVME') return new Crc64Nvme();
  return new Crc32(alg === 'CRC32C');
}

// --- Combining: crc(A ‖ B) from crc(A), crc(B) and len(B), as zlib's crc32_combine does, in GF(2). ---
// Used once per part to derive a full-object checksum of a multipart upload, so BigInt is fine here.

interface Field {
  width: bigint;
  poly: bigint;
  /** x^(2^k) mod P for k = 0..63. */
  powers: bigint[];
}
const fields = new Map<CrcAlgorithm, Field>();

function multModP(f: Field, a: bigint, b: bigint): bigint {
  // Reflected representation: the top bit is x^0.
  let m = 1n << (f.width - 1n);
  let p = 0n;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ f.poly : b >> 1n;
  }
  return p;
}

function fieldOf(alg: CrcAlgorithm): Field {
  let f = fields.get(alg);
  if (f) return f;
  const width = alg === 'CRC64NVME' ? 64n : 32n;
  const poly = alg === 'CRC64NVME' ? CRC64_POLY_REFLECTED : BigInt(alg === 'CRC32' ? CRC32_POLY : CRC32C_POLY);
  f = { width, poly, powers: [] };
  let p = 1n << (width - 2n); // x^1
  for (let k = 0; k < 64; k++) {
    f.powers.push(p);
    p = multModP(f, p, p);
  }
  fields.set(alg, f);
  return f;
}

/** Combines two big-endian CRC digests; `secondLength` is the byte length of the data behind `second`. */
export function combineCrc(alg: CrcAlgorithm, first: Buffer, second: Buffer, secondLength: number): Buffer {
  const f = fieldOf(alg);
  const bytes = Number(f.width / 8n);
  if (first.length !== bytes || second.length !== bytes) throw new RangeError(`${alg} digests are ${bytes} bytes`);
  // x^(8 * secondLength) mod P, by squaring: start at k = 3 because lengths count bytes.
  let shift = 1n << (f.width - 1n);
  let n = BigInt(secondLength);
  for (let k = 3; n > 0n; k++, n >>= 1n) if (n & 1n) shift = multModP(f, f.powers[k % 64], shift);
  const value = multModP(f, shift, BigInt('0x' + first.toString('hex'))) ^ BigInt('0x' + second.toString('hex'));
  return Buffer.from(value.toString(16).padStart(bytes * 2, '0'), 'hex');
}
