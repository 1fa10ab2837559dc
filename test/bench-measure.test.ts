import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../bench/args.js';
import type { Answer } from '../bench/compare.js';
import { measureCase, median, type Case, type RunMode, type Side } from '../bench/measure.js';
import { hitRate, parsePlanCache, readStatusBytes, RssSampler } from '../bench/probes.js';

function fake(name: string, calls: string[], answer: Answer, fail?: string): Side {
  return {
    name,
    async run(mode: RunMode) {
      calls.push(`${name}:${mode}`);
      if (fail) throw new Error(fail);
      return mode === 'check' ? { answer, bytesReturned: 10 } : { bytesReturned: 10, bytesScanned: 2 * 1024 ** 2 };
    },
  };
}

const digest = (value: string): Answer => ({ kind: 'digest', value });

describe('measureCase', () => {
  it('checks once, then alternates us and the baselines run by run', async () => {
    const calls: string[] = [];
    const c: Case = { name: 'q', rows: 1000, ours: fake('us', calls, digest('x')), baselines: [fake('a', calls, digest('x')), fake('b', calls, digest('x'))] };
    const r = await measureCase(c, 3);
    expect(calls).toEqual(['us:check', 'a:check', 'b:check', ...Array(3).fill(['us:timed', 'a:timed', 'b:timed']).flat()]);
    expect(r.ok).toBe(true);
    expect(r.checks.map((k) => k.against)).toEqual(['a', 'b']);
    expect(r.ours!.samplesMs).toHaveLength(3);
    expect(r.baselines.map((b) => b.name)).toEqual(['a', 'b']);
    expect(r.ratio).toBeCloseTo(r.ours!.medianMs / r.baselines[0]!.medianMs);
    // MiB/s comes from the bytes the server says it scanned, rows/s from the case's rows.
    expect(r.ours!.mibPerSec).toBeCloseTo(2 / (r.ours!.medianMs / 1000));
    expect(r.ours!.rowsPerSec).toBeCloseTo(1000 / (r.ours!.medianMs / 1000));
  });

  it('fails the case when an answer differs from a baseline', async () => {
    const calls: string[] = [];
    const r = await measureCase({ name: 'q', ours: fake('us', calls, digest('x')), baselines: [fake('a', calls, digest('y'))] }, 1);
    expect(r.ok).toBe(false);
    expect(r.checks).toEqual([{ against: 'a', ok: false, detail: 'digest x against y' }]);
  });

  it('records an error and stops timing that case', async () => {
    const calls: string[] = [];
    const logged: string[] = [];
    const r = await measureCase({ name: 'q', ours: fake('us', calls, digest('x'), 'no such key'), baselines: [fake('a', calls, digest('x'))] }, 2,
      { log: (l) => logged.push(l) });
    expect(r).toMatchObject({ ok: false, error: 'no such key' });
    expect(r.ours).toBeUndefined();
    expect(calls).toEqual(['us:check']);
    expect(logged).toEqual(['q: ERROR no such key']);
  });

  it('divides times by the operations per run', async () => {
    const slow: Side = { name: 'us', run: () => new Promise((resolve) => setTimeout(() => resolve({}), 20)) };
    const r = await measureCase({ name: 'q', ops: 10, ours: slow, baselines: [slow] }, 1);
    expect(r.ours!.medianMs).toBeGreaterThanOrEqual(1.5);
    expect(r.ours!.medianMs).toBeLessThan(20);
  });

  it('computes the plan-cache hit rate from counters read around the case', async () => {
    const counters = [{ hit: 10, miss: 5 }, { hit: 13, miss: 6 }];
    const calls: string[] = [];
    const r = await measureCase({ name: 'q', ours: fake('us', calls, digest('x')), baselines: [] }, 3, { planCache: async () => counters.shift() });
    expect(r.planCacheHitRate).toBe(0.75);
  });
});

describe('median', () => {
  it('handles odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('probes', () => {
  it('parses the plan-cache counters from Prometheus text', () => {
    const text = '# HELP selectd_select_plan_cache_total x\n# TYPE selectd_select_plan_cache_total counter\n' +
      'selectd_select_plan_cache_total{result="miss"} 4\nselectd_select_plan_cache_total{result="hit"} 12\nother 1\n';
    expect(parsePlanCache(text)).toEqual({ hit: 12, miss: 4 });
    expect(parsePlanCache('selectd_requests_total 3\n')).toBeUndefined();
    expect(hitRate({ hit: 12, miss: 4 }, { hit: 15, miss: 5 })).toBe(0.75);
    expect(hitRate({ hit: 1, miss: 1 }, { hit: 1, miss: 1 })).toBeNull();
    expect(hitRate(undefined, undefined)).toBeNull();
  });

  it('samples a process RSS and keeps its peak', async () => {
    const before = readStatusBytes(process.pid, 'VmRSS')!;
    const s = new RssSampler(process.pid, 5, true);
    s.start();
    const ballast = Buffer.alloc(64 * 1024 ** 2, 1);
    await new Promise((r) => setTimeout(r, 30));
    const peak = s.stop();
    expect(ballast[0]).toBe(1);
    expect(peak).toBeGreaterThan(before + 48 * 1024 ** 2);
    expect(s.samples.length).toBeGreaterThan(1);
    expect(s.samples.every((x) => x.bytes <= peak)).toBe(true);
  });
});

describe('parseBenchArgs', () => {
  it('defaults to the tiny suite on our own server and expands "all"', () => {
    expect(parseBenchArgs([])).toMatchObject({ suites: ['tiny'] });
    expect(parseBenchArgs(['--suite', 'all,tiny', '--runs', '2'])).toMatchObject({
      suites: ['select-csv', 'select-json', 'select-parquet', 'objects', 'tiny'], runs: 2,
    });
  });

  it('takes an endpoint with its credentials and a peer', () => {
    const o = parseBenchArgs(['--endpoint', 'http://h:1', '--access-key', 'a', '--secret-key', 's', '--peer', 'http://p:2',
      '--peer-access-key', 'pa', '--peer-secret-key', 'ps']);
    expect(o).toMatchObject({ endpoint: { url: 'http://h:1', accessKey: 'a', secretKey: 's' }, peer: { url: 'http://p:2' } });
  });

  it.each([
    [['--runs', '0'], /--runs/], [['--endpoint', 'http://h:1'], /--access-key/], [['--server-pid', '5'], /--endpoint/],
    [['--peer', 'http://p'], /--peer-access-key/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});
