// UTF-8 validity of a byte range, for decoders that copy string bytes into a column as they are: when
// valid, those bytes are exactly what decoding to a JS string and encoding it again would give.
import { isUtf8 } from 'node:buffer';

/** Whether buf[start..end) is valid UTF-8 (ASCII is checked here, the rest by Node). */
export function validUtf8(buf: Buffer, start: number, end: number): boolean {
  let acc = 0;
  for (let i = start; i < end; i++) acc |= buf[i]!;
  return acc < 0x80 || isUtf8(buf.subarray(start, end));
}
