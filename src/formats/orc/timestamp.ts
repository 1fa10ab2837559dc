// TIMESTAMP and TIMESTAMP_INSTANT columns: DATA holds signed seconds since 2015-01-01 00:00:00 in the
// writer's zone (UTC for TIMESTAMP_INSTANT), SECONDARY unsigned nanoseconds with trailing decimal zeros
// removed (low 3 bits z: multiply by 10^(z+1)). Output is an Arrow timestamp in ns (default) or µs;
// TIMESTAMP values are wall-clock time in the writer's zone, TIMESTAMP_INSTANT values are UTC instants.
import * as arrow from 'apache-arrow';
import { ColumnReader, intStream, presenceOf, ReadContext } from './context.js';
import { orcError } from './cursor.js';
import type { IntDecoder } from './int-runs.js';
import { halvesOf, writeMulAdd64 } from './int64.js';
import { nullProps, Presence, readFixed } from './presence.js';
import { arrowType, OrcType } from './schema.js';
import { StreamKind } from './stripe.js';
import { UTC_ZONE, Zone, zoneFor } from './timezone.js';

/** Largest |seconds| whose nanosecond count fits an int64 (about the years 1677..2262). */
const MAX_NS_SECONDS = 9223372035;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** The SECONDARY encoding: value >> 3 scaled back by the trailing zeros counted in the low 3 bits. */
export function decodeNanos(v: number): number {
  const q = Math.floor(v / 8); // arithmetic shift, also for the negative nanos pyarrow writes before 1970
  const z = v - q * 8;
  return z === 0 ? q : q * POW10[z + 1];
}

class TimestampColumn implements ColumnReader {
  private readonly presence: Presence;
  private readonly seconds: IntDecoder;
  private readonly nanos: IntDecoder;
  private readonly zone: Zone;
  private readonly type: arrow.Timestamp;
  private readonly what: string;

  constructor(ctx: ReadContext, t: OrcType) {
    this.presence = presenceOf(ctx, t);
    this.seconds = intStream(ctx, t, StreamKind.DATA, true);
    this.nanos = intStream(ctx, t, StreamKind.SECONDARY, false);
    this.zone = t.kind === 'timestamp_instant' ? UTC_ZONE : zoneFor(ctx.stripe.timezone);
    this.type = arrowType(t, ctx.unit) as arrow.Timestamp;
    this.what = `stripe ${ctx.stripe.index} column ${t.id}`;
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const nsUnit = this.type.unit === arrow.TimeUnit.NANOSECOND;
    const data = readFixed(slots, n, (k) => new BigInt64Array(k), (out, k) => {
      const secs = new Float64Array(k);
      const nanos = new Float64Array(k);
      this.seconds.readNumbers(secs, 0, k);
      this.nanos.readNumbers(nanos, 0, k);
      const halves = halvesOf(out);
      const { epoch, offsetAt } = this.zone;
      for (let i = 0; i < k; i++) {
        const ns = decodeNanos(nanos[i]);
        if (!(ns > -1e9 && ns < 1e9)) throw orcError(`${this.what}: nanoseconds out of range`);
        let s = secs[i] + epoch;
        if (s < 0 && ns > 999999) s -= 1; // writers truncate negative seconds toward zero
        if (offsetAt) s += offsetAt(s);
        if (nsUnit) {
          if (!(Math.abs(s) <= MAX_NS_SECONDS)) throw orcError(`${this.what}: timestamp outside the nanosecond range (years 1677-2262)`);
          writeMulAdd64(halves, i, s, 1e9, ns);
        } else {
          if (!(Math.abs(s) <= 2 ** 50)) throw orcError(`${this.what}: timestamp out of range`);
          writeMulAdd64(halves, i, s, 1e6, Math.floor(ns / 1000));
        }
      }
    });
    return arrow.makeData({ type: this.type, length: n, ...nullProps(slots, n), data });
  }
}

export function timestampReader(ctx: ReadContext, t: OrcType): ColumnReader | null {
  return t.kind === 'timestamp' || t.kind === 'timestamp_instant' ? new TimestampColumn(ctx, t) : null;
}
