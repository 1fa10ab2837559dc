// DuckDB values as JSON text, chosen once per column type. Integers beyond ±(2^53−1) and decimals
// wider than 15 digits become strings so no client parser rounds them; nested types become arrays and
// objects; temporal values keep DuckDB's text form (microseconds, UTC offset for WITH TIME ZONE).
import {
  DuckDBTypeId, type DuckDBArrayType, type DuckDBListType, type DuckDBMapType, type DuckDBStructType, type DuckDBType,
  type DuckDBUnionType, type DuckDBValue,
} from '@duckdb/node-api';

/** Converts a non-null value to JSON text. */
export type JsonConverter = (v: DuckDBValue) => string;

const MAX_EXACT = 2n ** 53n - 1n;

const quote = (s: string) => JSON.stringify(s);

function bigintJson(v: DuckDBValue): string {
  const n = v as bigint;
  return n <= MAX_EXACT && n >= -MAX_EXACT ? n.toString() : quote(n.toString());
}

function floatJson(v: DuckDBValue): string {
  const n = v as number;
  if (Number.isFinite(n)) return String(n);
  return quote(Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity');
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const MICROS_PER_DAY = 86_400_000_000;

/** Proleptic Gregorian year, month, day of a day number since 1970-01-01 (H. Hinnant's civil_from_days). */
function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** `YYYY-MM-DD` for years 1000–9999 (DuckDB's text), else undefined. */
export function formatDays(days: number): string | undefined {
  const [y, m, d] = civil(days);
  return y >= 1000 && y <= 9999 ? `${y}-${pad2(m)}-${pad2(d)}` : undefined;
}

/**
 * DuckDB's timestamp text (`YYYY-MM-DD HH:MM:SS[.ffffff]`, fraction without trailing zeros) computed
 * directly; node-api's own toString is ten times slower. Undefined outside years 1000–9999.
 */
export function formatMicros(micros: bigint): string | undefined {
  const us = Number(micros);
  if (!Number.isSafeInteger(us)) return undefined;
  let days = Math.floor(us / MICROS_PER_DAY);
  let rem = us - days * MICROS_PER_DAY;
  if (rem < 0) { days--; rem += MICROS_PER_DAY; }
  const date = formatDays(days);
  if (date === undefined) return undefined;
  const secs = Math.floor(rem / 1_000_000);
  const frac = rem - secs * 1_000_000;
  const time = `${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`;
  return frac === 0 ? `${date} ${time}` : `${date} ${time}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

/** DuckDB's decimal text from the unscaled value (all `scale` digits kept). */
export function formatDecimal(unscaled: bigint, scale: number): string {
  if (scale === 0) return unscaled.toString();
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Dates and timestamps print infinities as huge years; show them as DuckDB writes them in SQL. */
function temporalJson(v: DuckDBValue): string {
  const t = v as { isFinite?: boolean; days?: number; micros?: bigint; seconds?: bigint; millis?: bigint; nanos?: bigint };
  if (t.isFinite === false) {
    const raw = t.days ?? t.micros ?? t.seconds ?? t.millis ?? t.nanos ?? 0;
    return quote(raw < 0 ? '-infinity' : 'infinity');
  }
  return quote(String(v));
}

const textJson: JsonConverter = (v) => quote(String(v));

function blobJson(v: DuckDBValue): string {
  return quote(Buffer.from((v as { bytes: Uint8Array }).bytes).toString('base64'));
}

export function jsonConverter(type: DuckDBType): JsonConverter {
  if (type.alias === 'JSON') return (v) => String(v);
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return (v) => (v ? 'true' : 'false');
    case DuckDBTypeId.TINYINT: case DuckDBTypeId.SMALLINT: case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT: case DuckDBTypeId.USMALLINT: case DuckDBTypeId.UINTEGER:
      return (v) => String(v);
    case DuckDBTypeId.BIGINT: case DuckDBTypeId.UBIGINT: case DuckDBTypeId.HUGEINT: case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return bigintJson;
    case DuckDBTypeId.FLOAT: case DuckDBTypeId.DOUBLE:
      return floatJson;
    case DuckDBTypeId.DECIMAL: {
      const { width, scale } = type as { width: number; scale: number };
      const text = (v: DuckDBValue) => formatDecimal((v as { value: bigint }).value, scale);
      return width <= 15 ? text : (v) => quote(text(v));
    }
    case DuckDBTypeId.DATE:
      return (v) => {
        const d = v as { days: number; isFinite: boolean };
        const text = d.isFinite ? formatDays(d.days) : undefined;
        return text !== undefined ? `"${text}"` : temporalJson(v);
      };
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_TZ: {
      const zone = type.typeId === DuckDBTypeId.TIMESTAMP_TZ ? '+00' : '';
      return (v) => {
        const t = v as { micros: bigint; isFinite: boolean };
        const text = t.isFinite ? formatMicros(t.micros) : undefined;
        return text !== undefined ? `"${text}${zone}"` : temporalJson(v);
      };
    }
    case DuckDBTypeId.BLOB:
      return blobJson;
    case DuckDBTypeId.TIMESTAMP_S: case DuckDBTypeId.TIMESTAMP_MS: case DuckDBTypeId.TIMESTAMP_NS:
      return temporalJson;
    case DuckDBTypeId.LIST: case DuckDBTypeId.ARRAY: {
      const item = nullable(jsonConverter((type as DuckDBListType | DuckDBArrayType).valueType));
      return (v) => `[${(v as { items: DuckDBValue[] }).items.map(item).join(',')}]`;
    }
    case DuckDBTypeId.STRUCT: {
      const t = type as DuckDBStructType;
      const names = t.entryNames.map(quote);
      const convs = t.entryTypes.map((et) => nullable(jsonConverter(et)));
      return (v) => {
        const entries = (v as { entries: Record<string, DuckDBValue> }).entries;
        return `{${t.entryNames.map((n, i) => `${names[i]}:${convs[i]!(entries[n] ?? null)}`).join(',')}}`;
      };
    }
    case DuckDBTypeId.MAP: {
      const value = nullable(jsonConverter((type as DuckDBMapType).valueType));
      return (v) => `{${(v as { entries: { key: DuckDBValue; value: DuckDBValue }[] }).entries
        .map((e) => `${quote(String(e.key))}:${value(e.value)}`).join(',')}}`;
    }
    case DuckDBTypeId.UNION: {
      const t = type as DuckDBUnionType;
      const convs = new Map(t.memberTags.map((tag, i) => [tag, nullable(jsonConverter(t.memberTypes[i]!))]));
      return (v) => {
        const u = v as { tag: string; value: DuckDBValue };
        return (convs.get(u.tag) ?? nullable(textJson))(u.value);
      };
    }
    case DuckDBTypeId.SQLNULL:
      return () => 'null';
    default:
      // VARCHAR, ENUM, UUID, TIME, TIME_TZ, TIME_NS, INTERVAL, BIT, GEOMETRY, VARIANT: their text.
      return textJson;
  }
}

export function nullable(conv: JsonConverter): (v: DuckDBValue) => string {
  return (v) => (v === null || v === undefined ? 'null' : conv(v));
}

/** The type name shown to clients (`JSON` for DuckDB's JSON alias). */
export function typeName(type: DuckDBType): string {
  return type.alias ?? type.toString();
}
