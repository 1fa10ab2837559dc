// Results: a plain-text table for the terminal and a JSON document with every sample, the machine, and
// the checksums of the data the run read.
import { execFileSync } from 'node:child_process';
import { cpus, platform, release, totalmem } from 'node:os';
import type { CaseResult } from './measure.js';

export interface DatasetUse {
  name: string;
  scale: string;
  seed?: number;
  files: { name: string; sha256: string; bytes: number; rows: number }[];
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryBytes: number;
  os: string;
  node: string;
  duckdb?: string;
  commit?: string;
}

export interface SuiteReport {
  suite: string;
  description: string;
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  /** Our server: started by the runner, or an endpoint given on the command line. */
  endpoint: { url: string; local: boolean; serverArgs: string[] };
  peer?: string;
  runs: number;
  datasets: DatasetUse[];
  results: CaseResult[];
  ok: boolean;
}

export function machineInfo(duckdb?: string, root?: string): Machine {
  let commit: string | undefined;
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    // A run from a work tree with changes is not a run of that commit: say so.
    commit = git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+changes' : '');
  } catch {
    commit = undefined;
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length, memoryBytes: totalmem(),
    os: `${platform()} ${release()}`, node: process.version, duckdb, commit,
  };
}

export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

export function fmtBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function fmtCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

function fmtRatio(r: number | undefined): string {
  return r === undefined || !Number.isFinite(r) ? '-' : `${r.toFixed(2)}x`;
}

function checkText(r: CaseResult): string {
  if (r.error !== undefined) return `ERROR: ${r.error.replace(/\s+/g, ' ').slice(0, 200)}`;
  const bad = r.checks.filter((c) => !c.ok);
  if (bad.length > 0) return `MISMATCH vs ${bad.map((c) => `${c.against}: ${c.detail}`).join('; ')}`;
  return r.checks.length > 0 ? 'ok' : 'unchecked';
}

const HEADER = ['query', 'selectd ms', '(min-max)', 'baseline', 'ms', 'ratio', 'MiB/s', 'rows/s', 'returned', 'peak RSS', 'cache hits', 'check'];

/** One row per case and baseline; the check column says loudly when answers differ. */
export function formatTable(report: SuiteReport): string {
  const rows: string[][] = [];
  for (const r of report.results) {
    const o = r.ours;
    const first = r.baselines[0];
    rows.push([
      r.name, fmtMs(o?.medianMs), o ? `(${fmtMs(o.minMs)}-${fmtMs(o.maxMs)})` : '', first?.name ?? '-', fmtMs(first?.medianMs),
      fmtRatio(r.ratio), o?.mibPerSec !== undefined ? o.mibPerSec.toFixed(1) : '-', fmtCount(o?.rowsPerSec),
      fmtBytes(o?.bytesReturned), fmtBytes(r.peakRssBytes),
      r.planCacheHitRate === null ? '-' : `${(r.planCacheHitRate * 100).toFixed(0)}%`, checkText(r),
    ]);
    for (const b of r.baselines.slice(1)) {
      rows.push(['', '', '', b.name, fmtMs(b.medianMs), fmtRatio(o ? o.medianMs / b.medianMs : undefined), '', '', '', '', '', '']);
    }
  }
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === HEADER.length - 1 ? 0 : r[i]!.length))));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const title = `${report.suite}: ${report.runs} timed runs per query, alternating with the baseline; ` +
    `times are medians per operation; ratio = selectd / baseline`;
  const failures = report.results.filter((r) => !r.ok).length;
  const footer = failures === 0 ? 'all answers match their baselines'
    : `!!! ${failures} of ${report.results.length} queries FAILED (wrong answer or error) !!!`;
  return [title, line(HEADER), ...rows.map(line), footer].join('\n') + '\n';
}

/** The JSON written to bench/results/<suite>.json. */
export function reportJson(report: SuiteReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
