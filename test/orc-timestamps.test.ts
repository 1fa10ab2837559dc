// Timestamp semantics no pyarrow file exercises: Java-style truncated negative seconds, writer time zones
// other than UTC (wall-clock results), TIMESTAMP_INSTANT ignoring the zone, and the ns range limit.
// Files are built by hand with RLE v1 streams: DATA = seconds since 2015-01-01 in the writer's zone,
// SECONDARY = nanoseconds with trailing zeros removed.
import { describe, expect, it } from 'vitest';
import { openOrc, type TimestampUnit } from '../src/formats/orc/index.js';
import { buildOrc, rleV1, structOf, TIMESTAMP, TIMESTAMP_INSTANT } from './helpers/orc-build.js';
import { memorySource } from './helpers/orc.js';

function timestampFile(kind: number, seconds: bigint[], nanos: bigint[], timezone?: string): Uint8Array {
  return buildOrc({
    types: [structOf(['t']), [[1, kind]]],
    streams: [{ column: 1, kind: 1, bytes: rleV1(seconds, true) }, { column: 1, kind: 5, bytes: rleV1(nanos, false) }],
    encodings: [[[1, 0]], [[1, 0]]],
    rows: seconds.length,
    timezone,
  });
}

async function values(bytes: Uint8Array, timestampUnit: TimestampUnit = 'ns'): Promise<bigint[]> {
  const reader = await openOrc(memorySource(bytes));
  const out: bigint[] = [];
  for await (const b of reader.readBatches({ timestampUnit })) out.push(...(b.getChild('t')!.data[0].values as BigInt64Array));
  return out;
}

const EPOCH_2015 = 1420070400n;
const ns = (iso: string, frac = 0n) => BigInt(Date.parse(iso)) * 1000000n + frac;

describe('ORC timestamps', () => {
  it('corrects seconds that Java writers truncated toward zero before 1970', async () => {
    // 1969-12-31T23:59:58.5Z: Java stores trunc(-1.5) = -1 s and 0.5 s as (5 << 3) | 7
    const file = timestampFile(TIMESTAMP, [-1n - EPOCH_2015, 0n], [(5n << 3n) | 7n, 0x0an], 'UTC');
    expect(await values(file)).toEqual([ns('1969-12-31T23:59:58.500Z'), ns('2015-01-01T00:00:00Z', 1000n)]);
  });

  it('returns TIMESTAMP values as wall-clock time of the writer zone', async () => {
    // seconds count from 2015-01-01 00:00 in Los Angeles (08:00Z); 2015-07-01 12:00 PDT is 19:00Z
    const summer = BigInt(Date.parse('2015-07-01T19:00:00Z') / 1000) - BigInt(Date.parse('2015-01-01T08:00:00Z') / 1000);
    const file = timestampFile(TIMESTAMP, [0n, summer], [0n, 0n], 'America/Los_Angeles');
    expect(await values(file)).toEqual([ns('2015-01-01T00:00:00Z'), ns('2015-07-01T12:00:00Z')]);
  });

  it('reads TIMESTAMP_INSTANT as UTC instants whatever the writer zone', async () => {
    const file = timestampFile(TIMESTAMP_INSTANT, [3600n], [0n], 'America/Los_Angeles');
    expect(await values(file)).toEqual([ns('2015-01-01T01:00:00Z')]);
  });

  it('limits nanoseconds to years 1677-2262 but reads any year in microseconds', async () => {
    const year1500 = BigInt(Date.parse('1500-01-01T00:00:00Z') / 1000) - EPOCH_2015;
    const file = timestampFile(TIMESTAMP, [year1500], [0n], 'UTC');
    await expect(values(file)).rejects.toMatchObject({ code: 'OrcParsingError', message: expect.stringMatching(/nanosecond range/) });
    expect(await values(file, 'us')).toEqual([BigInt(Date.parse('1500-01-01T00:00:00Z')) * 1000n]);
  });

  it('rejects an unknown writer zone', async () => {
    const file = timestampFile(TIMESTAMP, [0n], [0n], 'Mars/Olympus_Mons');
    await expect(values(file)).rejects.toMatchObject({ code: 'OrcParsingError', message: expect.stringMatching(/unknown writer time zone/) });
  });
});
