import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { S3Error } from '../src/errors.js';
import { EventWriter, MAX_RECORDS_MESSAGE_BYTES, MAX_RECORDS_PAYLOAD_BYTES, type EventWriterOptions } from '../src/select/event-writer.js';
import { decodeEventStream, progressXml, statsXml, type EventMessage } from '../src/select/eventstream.js';

let counters = { scanned: 0, processed: 0 };

function harness(opts: Partial<EventWriterOptions> = {}) {
  const w = new EventWriter({ counters: () => counters, ...opts });
  const decoder = decodeEventStream();
  const raw: Buffer[] = [];
  /** Everything the writer has produced since the last call, decoded (paused mode, so no ticks are needed). */
  const read = (): EventMessage[] => {
    const out: EventMessage[] = [];
    for (let c = w.read() as Buffer | null; c !== null; c = w.read() as Buffer | null) {
      raw.push(c);
      out.push(...decoder.push(c));
    }
    return out;
  };
  return { w, read, raw };
}

const kind = (m: EventMessage) => (m.headers[':event-type'] ?? m.headers[':message-type']) as string;
const kinds = (ms: EventMessage[]) => ms.map(kind);
const payloads = (ms: EventMessage[]) => ms.filter((m) => kind(m) === 'Records').map((m) => m.payload.toString());

beforeEach(() => {
  counters = { scanned: 0, processed: 0 };
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('EventWriter records', () => {
  it('coalesces small writes and sends them once the flush delay passes', () => {
    const { w, read } = harness({ flushDelayMs: 50 });
    w.write('a,1\n');
    w.write('b,2\n');
    vi.advanceTimersByTime(20);
    w.write('c,3\n');
    expect(read()).toEqual([]);
    vi.advanceTimersByTime(29);
    expect(read()).toEqual([]);
    vi.advanceTimersByTime(1);
    const got = read();
    expect(payloads(got)).toEqual(['a,1\nb,2\nc,3\n']);
    expect(w.bytesReturned).toBe(12);
  });

  it('splits large output into messages that fit the Java SDK v1 buffer', () => {
    const { w, read } = harness();
    const data = Buffer.alloc(2 * MAX_RECORDS_PAYLOAD_BYTES + 10, 'x');
    w.write(data);
    const full = read();
    expect(full).toHaveLength(2);
    expect(full.every((m) => m.payload.length === MAX_RECORDS_PAYLOAD_BYTES)).toBe(true);
    expect(MAX_RECORDS_MESSAGE_BYTES).toBe(128 * 1024 - 256);
    expect(MAX_RECORDS_PAYLOAD_BYTES).toBe(MAX_RECORDS_MESSAGE_BYTES - 16 - 85);
    vi.advanceTimersByTime(50);
    expect(read().map((m) => m.payload.length)).toEqual([10]);
    expect(w.bytesReturned).toBe(data.length);
  });

  it('keeps every byte in order with each payload at most the cap', () => {
    const { w, read } = harness({ maxPayloadBytes: 8 });
    const input = Array.from({ length: 40 }, (_, i) => 'r'.repeat(i % 13) + `${i}\n`);
    for (const s of input) w.write(s);
    const got = read();
    expect(got.every((m) => m.payload.length === 8)).toBe(true);
    vi.advanceTimersByTime(50);
    const all = [...got, ...read()];
    expect(all.every((m) => m.payload.length > 0 && m.payload.length <= 8)).toBe(true);
    expect(payloads(all).join('')).toBe(input.join(''));
  });

  it('does not keep a reference to the caller’s buffer for staged bytes', () => {
    const { w, read } = harness();
    const chunk = Buffer.from('abc\n');
    w.write(chunk);
    chunk.fill(0x7a);
    vi.advanceTimersByTime(50);
    expect(payloads(read())).toEqual(['abc\n']);
  });
});

describe('EventWriter completion', () => {
  it('ends with buffered records, Stats and End, and leaves no timers behind', async () => {
    const { w, read } = harness({ progress: true });
    w.write('row\n');
    counters = { scanned: 100, processed: 300 };
    w.end();
    await once(w, 'finish');
    const got = read();
    expect(kinds(got)).toEqual(['Records', 'Stats', 'End']);
    expect(got[1]!.payload.toString()).toBe(statsXml({ scanned: 100, processed: 300, returned: 4 }));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends Stats with zero returned bytes for an empty result', async () => {
    const { w, read } = harness();
    w.end();
    await once(w, 'finish');
    const got = read();
    expect(kinds(got)).toEqual(['Stats', 'End']);
    expect(got[0]!.payload.toString()).toContain('<BytesReturned>0</BytesReturned>');
  });

  it('fail() flushes records, sends the error, omits End and ends both sides', async () => {
    const { w, read } = harness({ progress: true });
    w.write('partial\n');
    w.fail('CSVParsingError', 'row 7 is broken');
    await once(w, 'finish');
    const ended = once(w, 'end');
    const got = read();
    await ended;
    expect(kinds(got)).toEqual(['Records', 'error']);
    expect(got[1]!.headers[':error-code']).toBe('CSVParsingError');
    expect(got[1]!.headers[':error-message']).toBe('row 7 is broken');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('failWith() takes code and message from an S3Error; later failures are ignored', async () => {
    const { w, read } = harness();
    w.failWith(new S3Error('CastFailed', 'cannot cast'));
    w.fail('InternalError', 'second');
    await once(w, 'finish');
    const got = read();
    expect(got.map((m) => m.headers[':error-code'])).toEqual(['CastFailed']);
    expect(got[0]!.headers[':error-message']).toBe('cannot cast');
  });

  it('fail() after a successful finish sends nothing', async () => {
    const { w, read } = harness();
    w.end();
    await once(w, 'finish');
    w.fail('InternalError', 'late');
    expect(kinds(read())).toEqual(['Stats', 'End']);
  });

  it('destroy() clears every timer', () => {
    const { w } = harness({ progress: true });
    w.write('pending\n');
    expect(vi.getTimerCount()).toBe(3);
    w.destroy();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('EventWriter keep-alive and progress', () => {
  it('sends Cont only after the configured quiet period', () => {
    const { w, read } = harness({ keepAliveMs: 1000, flushDelayMs: 50 });
    vi.advanceTimersByTime(999);
    expect(read()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(kinds(read())).toEqual(['Cont']);
    // A Records message at t=1500 postpones the next Cont to t=2500.
    vi.advanceTimersByTime(450);
    w.write('x\n');
    vi.advanceTimersByTime(50);
    expect(kinds(read())).toEqual(['Records']);
    vi.advanceTimersByTime(999);
    expect(read()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(kinds(read())).toEqual(['Cont']);
    w.destroy();
  });

  it('does not pile up Cont messages while the client is not reading', () => {
    const { w, read } = harness({ keepAliveMs: 1000 });
    vi.advanceTimersByTime(5000);
    expect(kinds(read())).toEqual(['Cont']);
    w.destroy();
  });

  it('sends Progress periodically with current counters when enabled', () => {
    const { w, read } = harness({ progress: true, progressIntervalMs: 1000, keepAliveMs: 10_000 });
    w.write('ab\n');
    counters = { scanned: 10, processed: 20 };
    vi.advanceTimersByTime(1000);
    counters = { scanned: 30, processed: 60 };
    vi.advanceTimersByTime(1000);
    const got = read();
    expect(kinds(got)).toEqual(['Records', 'Progress', 'Progress']);
    expect(got[1]!.payload.toString()).toBe(progressXml({ scanned: 10, processed: 20, returned: 3 }));
    expect(got[2]!.payload.toString()).toBe(progressXml({ scanned: 30, processed: 60, returned: 3 }));
    w.destroy();
  });

  it('sends no Progress when not requested', () => {
    const { w, read } = harness({ progressIntervalMs: 100, keepAliveMs: 1000 });
    vi.advanceTimersByTime(1000);
    expect(kinds(read())).toEqual(['Cont']);
    w.destroy();
  });

  it('rejects a payload cap the Java SDK could not read', () => {
    expect(() => new EventWriter({ counters: () => counters, maxPayloadBytes: MAX_RECORDS_PAYLOAD_BYTES + 1 })).toThrow(RangeError);
  });
});
