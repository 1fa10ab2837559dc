// Pairwise measurement: for each case, one untimed round whose answers are checked against each other,
// then N timed rounds that alternate us and the baselines (A B A B …), so drift in a noisy machine hits
// both sides alike. Server memory and plan-cache counters are read around our runs.
import { performance } from 'node:perf_hooks';
import { compareAnswers, type Answer, type Comparison } from './compare.js';
import { hitRate, type PlanCacheCounters, type RssSample, type RssSampler } from './probes.js';

export type RunMode = 'check' | 'timed';

export interface RunOutcome {
  bytesReturned?: number;
  /** Bytes the server says it scanned (S3 Select Stats). */
  bytesScanned?: number;
  /** Only asked for in check mode. */
  answer?: Answer;
}

export interface Side {
  name: string;
  run(mode: RunMode): Promise<RunOutcome>;
}

export interface Case {
  name: string;
  /** Operations per run: reported times are per operation (e.g. 100 HEADs per run). */
  ops?: number;
  /** Bytes one operation reads or writes, for MiB/s. */
  bytes?: number;
  /** Rows one operation reads, for rows/s. */
  rows?: number;
  ordered?: boolean;
  relTol?: number;
  ours: Side;
  /** The first is the reference for the ratio; the others (e.g. raw fs, a peer endpoint) are shown beside it. */
  baselines: Side[];
}

export interface SideResult {
  name: string;
  /** Wall time per operation of each timed run, in ms. */
  samplesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  mibPerSec?: number;
  rowsPerSec?: number;
  bytesReturned?: number;
  bytesScanned?: number;
}

export interface CheckResult extends Comparison {
  against: string;
}

export interface CaseResult {
  name: string;
  ours?: SideResult;
  baselines: SideResult[];
  /** Our median over the first baseline's. */
  ratio?: number;
  peakRssBytes?: number;
  rssSamples?: RssSample[];
  planCacheHitRate: number | null;
  checks: CheckResult[];
  error?: string;
  ok: boolean;
}

export interface Probes {
  rss?: RssSampler;
  planCache?: () => Promise<PlanCacheCounters | undefined>;
  /** Resolves once the server has finished background work the check round started (shadow builds). */
  settle?: () => Promise<void>;
  log?: (line: string) => void;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function summarize(name: string, c: Case, samples: number[], last: RunOutcome): SideResult {
  const med = median(samples);
  const r: SideResult = { name, samplesMs: samples, medianMs: med, minMs: Math.min(...samples), maxMs: Math.max(...samples) };
  const scanned = last.bytesScanned || c.bytes;
  if (scanned) r.mibPerSec = scanned / 1024 ** 2 / (med / 1000);
  if (c.rows) r.rowsPerSec = c.rows / (med / 1000);
  if (last.bytesReturned !== undefined) r.bytesReturned = last.bytesReturned;
  if (last.bytesScanned !== undefined) r.bytesScanned = last.bytesScanned;
  return r;
}

async function timed(side: Side, ops: number): Promise<[number, RunOutcome]> {
  const t0 = performance.now();
  const out = await side.run('timed');
  return [(performance.now() - t0) / ops, out];
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function measureCase(c: Case, runs: number, probes: Probes = {}): Promise<CaseResult> {
  const log = probes.log ?? (() => {});
  const ops = c.ops ?? 1;
  const result: CaseResult = { name: c.name, baselines: [], planCacheHitRate: null, checks: [], ok: false };
  const before = await probes.planCache?.();
  probes.rss?.start();
  let rssStopped = false;
  const stopRss = (): void => {
    if (!probes.rss || rssStopped) return;
    rssStopped = true;
    result.peakRssBytes = probes.rss.stop();
    if (probes.rss.samples.length > 0) result.rssSamples = [...probes.rss.samples];
  };
  try {
    // Check round: every side answers once, and every baseline's answer must equal ours.
    const ourCheck = await c.ours.run('check');
    for (const b of c.baselines) {
      const theirs = await b.run('check');
      if (ourCheck.answer && theirs.answer) {
        result.checks.push({ against: b.name, ...compareAnswers(ourCheck.answer, theirs.answer, { ordered: c.ordered, relTol: c.relTol }) });
      }
    }
    // Timed rounds measure the steady state: not racing a columnar-cache build the check round queued.
    await probes.settle?.();
    const oursMs: number[] = [];
    const baseMs: number[][] = c.baselines.map(() => []);
    let lastOurs: RunOutcome = ourCheck;
    const lastBase: RunOutcome[] = c.baselines.map(() => ({}));
    for (let i = 0; i < runs; i++) {
      const [ms, out] = await timed(c.ours, ops);
      oursMs.push(ms);
      lastOurs = out;
      for (let j = 0; j < c.baselines.length; j++) {
        const [bms, bout] = await timed(c.baselines[j]!, ops);
        baseMs[j]!.push(bms);
        lastBase[j] = bout;
      }
    }
    stopRss();
    if (runs > 0) {
      result.ours = summarize('selectd', c, oursMs, lastOurs);
      result.baselines = c.baselines.map((b, j) => summarize(b.name, c, baseMs[j]!, lastBase[j]!));
      if (result.baselines[0]) result.ratio = result.ours.medianMs / result.baselines[0].medianMs;
    }
  } catch (e) {
    result.error = message(e);
    log(`${c.name}: ERROR ${result.error}`);
  } finally {
    stopRss();
  }
  result.planCacheHitRate = hitRate(before, await probes.planCache?.());
  const failed = result.checks.filter((k) => !k.ok);
  for (const f of failed) log(`${c.name}: MISMATCH against ${f.against}: ${f.detail}`);
  result.ok = result.error === undefined && failed.length === 0;
  return result;
}
