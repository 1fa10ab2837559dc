// What the runner observes of the server beside wall time: its resident memory (from /proc) and its
// plan-cache counters (from /metrics).
import { readFileSync, writeFileSync } from 'node:fs';

/** A `VmRSS`/`VmHWM`-style field of /proc/<pid>/status, in bytes; undefined when unreadable. */
export function readStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface RssSample {
  /** Milliseconds since the sampler started. */
  t: number;
  bytes: number;
}

/**
 * Samples a process's RSS on a timer. Where the kernel allows it, the peak is also reset and read from
 * VmHWM (writing 5 to clear_refs), which catches spikes between samples.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  private t0 = 0;
  private hwmReset = false;
  readonly samples: RssSample[] = [];

  constructor(readonly pid: number, private readonly intervalMs = 20, private readonly keepSamples = false) {}

  start(): void {
    this.peak = 0;
    this.samples.length = 0;
    this.t0 = Date.now();
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      this.hwmReset = true;
    } catch {
      this.hwmReset = false;
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const bytes = readStatusBytes(this.pid, 'VmRSS');
    if (bytes === undefined) return;
    if (bytes > this.peak) this.peak = bytes;
    if (this.keepSamples) this.samples.push({ t: Date.now() - this.t0, bytes });
  }

  /** Stops sampling and returns the peak RSS in bytes seen since `start`. */
  stop(): number {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    const hwm = this.hwmReset ? readStatusBytes(this.pid, 'VmHWM') : undefined;
    return Math.max(this.peak, hwm ?? 0);
  }
}

export interface PlanCacheCounters {
  hit: number;
  miss: number;
}

/** Reads `selectd_select_plan_cache_total{result=…}` from Prometheus text; undefined when absent. */
export function parsePlanCache(text: string): PlanCacheCounters | undefined {
  let found = false;
  const c: PlanCacheCounters = { hit: 0, miss: 0 };
  for (const m of text.matchAll(/^selectd_select_plan_cache_total\{result="(hit|miss)"\}\s+(\d+(?:\.\d+)?)\s*$/gm)) {
    found = true;
    c[m[1] as 'hit' | 'miss'] = Number(m[2]);
  }
  return found ? c : undefined;
}

/** Scrapes /metrics; undefined when the endpoint has none (e.g. AWS) or the counter is not there yet. */
export async function scrapePlanCache(endpointUrl: string): Promise<PlanCacheCounters | undefined> {
  try {
    const r = await fetch(new URL('/metrics', endpointUrl));
    return r.ok ? parsePlanCache(await r.text()) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the columnar cache has no build queued or running (the selectd_select_shadow_pending
 * gauge); returns at once for an endpoint without it, and gives up after `limitMs`.
 */
export async function shadowsSettled(endpointUrl: string, limitMs = 600_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    let text: string;
    try {
      const r = await fetch(new URL('/metrics', endpointUrl));
      if (!r.ok) return;
      text = await r.text();
    } catch {
      return;
    }
    const m = /^selectd_select_shadow_pending\s+(\d+)\s*$/m.exec(text);
    if (!m || m[1] === '0') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Hit rate over the lookups between two scrapes; null when unknown or when there were none. */
export function hitRate(before: PlanCacheCounters | undefined, after: PlanCacheCounters | undefined): number | null {
  if (!after) return null;
  const hits = after.hit - (before?.hit ?? 0);
  const misses = after.miss - (before?.miss ?? 0);
  return hits + misses > 0 ? hits / (hits + misses) : null;
}
