// Writer time zones for TIMESTAMP columns: ORC stores seconds relative to 2015-01-01 00:00:00 in the
// stripe's writer zone, and readers return wall-clock time in that zone. UTC-like zones take a fast path;
// others ask Intl (the ICU tz database) for UTC offsets.
import { orcError } from './cursor.js';

/** 2015-01-01T00:00:00Z in Unix seconds: the ORC timestamp epoch. */
export const ORC_EPOCH_UTC = 1420070400;

export interface Zone {
  /** Unix seconds of 2015-01-01 00:00:00 local time in this zone. */
  epoch: number;
  /** UTC offset in seconds at a Unix instant, or null for a zone that is always UTC. */
  offsetAt: ((seconds: number) => number) | null;
}

const UTC_NAMES = new Set(['UTC', 'GMT', 'Z', 'UCT', 'Zulu', 'Universal', 'Greenwich', 'GMT0', 'GMT+0', 'GMT-0',
  'Etc/UTC', 'Etc/GMT', 'Etc/UCT', 'Etc/Zulu', 'Etc/Universal', 'Etc/Greenwich', 'Etc/GMT0', 'Etc/GMT+0', 'Etc/GMT-0']);

export const UTC_ZONE: Zone = { epoch: ORC_EPOCH_UTC, offsetAt: null };

const zones = new Map<string, Zone>();

/** Offsets are cached per quarter hour, the granularity of every modern zone transition. */
const BUCKET = 900;
const MAX_CACHED = 4096;

function intlZone(name: string): Zone {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    throw orcError(`unknown writer time zone "${name}"`);
  }
  const cache = new Map<number, number>();
  const compute = (seconds: number): number => {
    const at = new Date(seconds * 1000);
    if (Number.isNaN(at.getTime())) throw orcError('timestamp outside the representable range');
    const f: Record<string, string> = {};
    for (const p of format.formatToParts(at)) f[p.type] = p.value;
    const year = f.era === 'BC' || f.era === 'B' ? 1 - Number(f.year) : Number(f.year);
    const local = new Date(0);
    local.setUTCFullYear(year, Number(f.month) - 1, Number(f.day));
    local.setUTCHours(Number(f.hour), Number(f.minute), Number(f.second), 0);
    return local.getTime() / 1000 - seconds;
  };
  const offsetAt = (seconds: number): number => {
    const key = Math.floor(seconds / BUCKET);
    let off = cache.get(key);
    if (off === undefined) {
      if (cache.size >= MAX_CACHED) cache.clear();
      off = compute(key * BUCKET);
      cache.set(key, off);
    }
    return off;
  };
  // local midnight of 2015-01-01: start from UTC and correct by the offset found there
  let epoch = ORC_EPOCH_UTC - offsetAt(ORC_EPOCH_UTC);
  epoch = ORC_EPOCH_UTC - offsetAt(epoch);
  return { epoch, offsetAt };
}

/** The zone a stripe's TIMESTAMP values were written in; files that name none are read as UTC. */
export function zoneFor(name: string | undefined): Zone {
  if (!name || UTC_NAMES.has(name)) return UTC_ZONE;
  let zone = zones.get(name);
  if (!zone) {
    zone = intlZone(name);
    zones.set(name, zone);
  }
  return zone;
}
