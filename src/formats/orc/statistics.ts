// Column statistics in a form a stripe filter can use: non-null count, hasNull and min/max bounds in the
// same units the reader produces (bigint for integers, ns-since-epoch bigint for timestamps, days for
// dates, numbers for floating point, strings for text and decimal text). min/max are only set when the
// file's statistics make them trustworthy bounds; a filter must treat an absent bound as "anything".
import { has, int64Big, int64Number, type ColumnStatisticsMsg } from './proto.js';
import { OrcType, topLevelColumns } from './schema.js';

export interface ColumnStats {
  /** Values that are not null. */
  numberOfValues: number;
  /** Whether some value is null; undefined when the writer did not say. */
  hasNull: boolean | undefined;
  min?: bigint | number | string | boolean;
  max?: bigint | number | string | boolean;
}

/** writerVersion 1 fixed string statistics (HIVE-8732); older Java files may hold wrong string bounds. */
const STRING_STATS_FIXED = 1;
/** Writers from ORC-135 on (C++ writers start here) always know hasNull and, when a column has values,
 *  its bounds. Apache's C++ writer (pyarrow) leaves fields at their default off the wire (a minimum of 0,
 *  hasNull false), so for these writers an absent field means its default value. */
const MODERN_WRITER = 6;

/** A field's value; when absent, its protobuf default for modern writers, else undefined (unknown). */
function field<T>(msg: object, name: string, value: T | undefined, fallback: T, implicit: boolean): T | undefined {
  return has(msg, name) ? value : implicit ? fallback : undefined;
}

function pair<T>(min: T | undefined, max: T | undefined): Pick<ColumnStats, 'min' | 'max'> {
  return min !== undefined && max !== undefined ? { min: min as ColumnStats['min'], max: max as ColumnStats['max'] } : {};
}

function bounds(s: ColumnStatisticsMsg, t: OrcType, writerVersion: number): Pick<ColumnStats, 'min' | 'max'> {
  const implicit = writerVersion >= MODERN_WRITER;
  switch (t.kind) {
    case 'byte': case 'short': case 'int': case 'long': {
      const i = s.intStatistics;
      if (!i) return {};
      return pair(field(i, 'minimum', int64Big(i.minimum), 0n, implicit), field(i, 'maximum', int64Big(i.maximum), 0n, implicit));
    }
    case 'float': case 'double': {
      const d = s.doubleStatistics;
      if (!d) return {};
      const min = field(d, 'minimum', d.minimum, 0, implicit);
      const max = field(d, 'maximum', d.maximum, 0, implicit);
      return Number.isNaN(min) || Number.isNaN(max) ? {} : pair(min, max);
    }
    case 'string': case 'varchar': case 'char': {
      const str = s.stringStatistics;
      if (!str || writerVersion < STRING_STATS_FIXED) return {};
      // lowerBound / upperBound stand in for values the writer truncated: still valid bounds
      const min = has(str, 'lowerBound') ? str.lowerBound : field(str, 'minimum', str.minimum, '', implicit);
      const max = has(str, 'upperBound') ? str.upperBound : has(str, 'maximum') ? str.maximum : undefined;
      return pair(min, max);
    }
    case 'boolean': {
      const counts = s.bucketStatistics?.count;
      if (!counts?.length) return {};
      const trues = int64Number(counts[0], 'boolean statistics');
      const values = int64Number(s.numberOfValues, 'value count');
      return { min: trues === values, max: trues > 0 };
    }
    case 'date': {
      const d = s.dateStatistics;
      if (!d) return {};
      return pair(field(d, 'minimum', d.minimum, 0, implicit), field(d, 'maximum', d.maximum, 0, implicit));
    }
    case 'decimal': {
      // decimal text is never empty, so an absent field is unknown for every writer
      const d = s.decimalStatistics;
      return d && has(d, 'minimum') && has(d, 'maximum') ? pair(d.minimum, d.maximum) : {};
    }
    case 'timestamp': case 'timestamp_instant': {
      // only the UTC fields (ORC-135); the older local-time ones depend on the writer's zone
      const ts = s.timestampStatistics;
      if (!ts) return {};
      const minMs = field(ts, 'minimumUtc', int64Big(ts.minimumUtc), 0n, implicit);
      const maxMs = field(ts, 'maximumUtc', int64Big(ts.maximumUtc), 0n, implicit);
      if (minMs === undefined || maxMs === undefined) return {};
      // nanos are stored + 1: absent means 0 below the millisecond for the minimum, 999999 for the maximum
      const minNanos = has(ts, 'minimumNanos') && ts.minimumNanos ? BigInt(ts.minimumNanos - 1) : 0n;
      const maxNanos = has(ts, 'maximumNanos') && ts.maximumNanos ? BigInt(ts.maximumNanos - 1) : 999999n;
      return { min: minMs * 1000000n + minNanos, max: maxMs * 1000000n + maxNanos };
    }
    default:
      return {};
  }
}

function toColumnStats(s: ColumnStatisticsMsg | undefined, t: OrcType, writerVersion: number): ColumnStats | undefined {
  if (!s) return undefined;
  const numberOfValues = int64Number(s.numberOfValues, 'value count');
  const out: ColumnStats = {
    numberOfValues,
    hasNull: field(s, 'hasNull', s.hasNull, false, writerVersion >= MODERN_WRITER),
  };
  return numberOfValues > 0 ? { ...out, ...bounds(s, t, writerVersion) } : out;
}

/** Statistics by top-level column name and by dotted path for fields of structs (`s.a.b`). */
export function statsByName(root: OrcType, all: ColumnStatisticsMsg[], writerVersion: number): Record<string, ColumnStats> {
  const out: Record<string, ColumnStats> = {};
  const visit = (name: string, t: OrcType): void => {
    const stats = toColumnStats(all[t.id], t, writerVersion);
    if (stats) out[name] = stats;
    if (t.kind === 'struct') for (const c of t.children) visit(`${name}.${c.name}`, c.type);
  };
  for (const c of topLevelColumns(root)) visit(c.name, c.type);
  return out;
}
