// The common case of schema inference, checked in one tight loop: a record with the same keys, in the
// same order, as the last one the full walk took, each holding a scalar its column already admits (so
// the schema stays as it is). Anything else (another key, a value that would widen its column, a nested
// value, a record cut off by the end of the buffer) is left to the full walk (msgpack-infer.ts).
import { scalarSize } from './msgpack-frame.js';
import type { Shape } from './msgpack-infer.js';

/** What a top-level key's value may be for the record to pass unchanged. */
const Q_WALK = 0; // anything: the full walk decides
export const Q_SKIP = 1; // a key outside the wanted columns: any scalar
const Q_NULL = 2, Q_BOOL = 3, Q_INT = 4, Q_FLOAT = 5, Q_STR = 6, Q_BIN = 7, Q_TS = 8, Q_TEXT = 9;

/** The check for a column of this shape. */
export function quickKind(s: Shape | undefined): number {
  switch (s?.k) {
    case 'null': return Q_NULL;
    case 'bool': return Q_BOOL;
    case 'int': return Q_INT;
    case 'float': return Q_FLOAT;
    case 'str': return Q_STR;
    case 'bin': return Q_BIN;
    case 'ts': return Q_TS;
    case 'text': return Q_TEXT;
    default: return Q_WALK;
  }
}

// Type byte classes.
const C_INT = 1, C_U64 = 2, C_FLOAT = 3, C_STR = 4, C_BIN = 5, C_EXT = 6, C_BOOL = 7, C_NIL = 8;
const CLASS = new Uint8Array(256); // 0: a container or the invalid 0xc1
for (let b = 0; b < 256; b++) {
  if (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3 && b !== 0xcf)) CLASS[b] = C_INT;
  else if (b >= 0xa0 && b <= 0xbf) CLASS[b] = C_STR;
}
CLASS[0xcf] = C_U64;
CLASS[0xca] = CLASS[0xcb] = C_FLOAT;
CLASS[0xd9] = CLASS[0xda] = CLASS[0xdb] = C_STR;
CLASS[0xc4] = CLASS[0xc5] = CLASS[0xc6] = C_BIN;
for (const b of [0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]) CLASS[b] = C_EXT;
CLASS[0xc2] = CLASS[0xc3] = C_BOOL;
CLASS[0xc0] = C_NIL;

/** Offset of an extension's type byte from its first byte. */
function extTypeAt(b: number): number {
  return b === 0xc7 ? 2 : b === 0xc8 ? 3 : b === 0xc9 ? 5 : 1;
}

/** Whether a value of class `c` (type byte at buf[p]) leaves a column checked by `kind` as it is. */
function admits(kind: number, c: number, buf: Buffer, p: number, end: number): boolean {
  if (c === C_NIL) return true; // nil widens nothing
  switch (kind) {
    case Q_SKIP:
    case Q_TEXT: return c !== 0;
    case Q_BOOL: return c === C_BOOL;
    case Q_INT: return c === C_INT || (c === C_U64 && p + 1 < end && buf[p + 1]! < 0x80);
    case Q_FLOAT: return c === C_INT || c === C_FLOAT || (c === C_U64 && p + 1 < end && buf[p + 1]! < 0x80);
    case Q_STR: return c === C_STR;
    case Q_BIN:
    case Q_TS: {
      if (c === C_BIN) return kind === Q_BIN;
      if (c !== C_EXT) return false;
      const at = p + extTypeAt(buf[p]!);
      return at < end && (buf[at] === 0xff) === (kind === Q_TS);
    }
    default: return false;
  }
}

/** quickRecord's answer for a record that runs past the buffered bytes. */
export const CUT = -2;

/**
 * The end of the record at buf[p..end) when it has exactly `keys` (fixstr keys, fixmap record) with
 * values each admitted by `kinds`; CUT when the bytes end first; -1 otherwise.
 */
export function quickRecord(buf: Buffer, p: number, end: number, keys: Buffer[], kinds: Uint8Array, n: number): number {
  if (p >= end) return CUT;
  if (buf[p] !== (0x80 | n) || n > 15) return -1;
  p++;
  for (let i = 0; i < n; i++) {
    if (p >= end) return CUT;
    const kb = buf[p]!;
    const key = keys[i]!;
    const len = kb - 0xa0;
    if (kb < 0xa0 || kb > 0xbf || len !== key.length) return -1;
    if (p + 1 + len > end) return CUT;
    p++;
    for (let k = 0; k < len; k++) if (buf[p + k] !== key[k]) return -1;
    p += len;
    if (p >= end) return CUT;
    const b = buf[p]!;
    if (!admits(kinds[i]!, CLASS[b]!, buf, p, end)) return -1;
    p += scalarSize(buf, p, end);
    if (p > end) return CUT;
  }
  return p;
}
