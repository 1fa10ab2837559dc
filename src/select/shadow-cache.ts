// The columnar cache: Parquet "shadows" of objects that are not columnar themselves (CSV, JSON, Avro,
// ORC, Protobuf, MessagePack), so a repeated query reads Parquet with its pruning instead of decoding again.
//
// - A shadow is keyed by (bucket, key, ETag) and a variant string naming everything else its bytes depend
//   on (reader options, protobuf message type…). It may also depend on other objects (a .proto schema).
// - Size-capped, least recently used first out. A shadow larger than the whole cap is used once, not kept,
//   and like one whose build failed it is not attempted again in the background (until its ETag changes).
// - Invalidated when its object or a dependency is written or deleted (the store decorator reports it).
//   A build that started before such a change is discarded: every build carries the invalidation stamp
//   taken before its request read the object's metadata.
// - Files in use by a running query are pinned: evicting or invalidating one only unlinks it from the
//   index, and the file goes when its last user releases it (the byte count covers indexed files only).
// - The directory is emptied when the cache opens: shadows do not outlive the process, so nothing stale
//   can be picked up after the store changed while the server was down.
import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { S3Error } from '../errors.js';
import { Counter, Gauge, type Renderable } from '../metrics.js';

export interface ObjectRef { bucket: string; key: string; etag: string }

/** What a build produced besides the file: data its source needs on a hit, and other objects it read. */
export interface BuiltShadow<M> { meta: M; deps?: { bucket: string; key: string }[] }

/** Writes the shadow's Parquet file at `tmpPath`; the cache moves it into place. */
export type ShadowBuilder<M> = (tmpPath: string, signal: AbortSignal) => Promise<BuiltShadow<M>>;

export interface ShadowLease<M> {
  path: string;
  meta: M;
  /** Call once, when the query no longer reads the file. */
  release(): Promise<void>;
}

export interface ShadowCacheOptions {
  dir: string;
  maxBytes: number;
  /** Background builds waiting beyond this are dropped (the next query schedules them again). */
  maxQueued?: number;
  /** Invalidation records kept for stamp checks; older ones collapse into one conservative bound. */
  maxInvalidations?: number;
}

interface Entry {
  id: string;
  path: string;
  bytes: number;
  objects: string[];
  meta: unknown;
  pins: number;
  indexed: boolean;
}

interface Flight { waiters: number; promise: Promise<Entry> }

interface Job { ref: ObjectRef; variant: string; stamp: number; build: ShadowBuilder<unknown> }

const objectId = (bucket: string, key: string) => `${bucket}/${key}`;

export class ShadowCache {
  readonly metrics: Renderable[];
  private readonly entries = new Map<string, Entry>(); // LRU order: oldest first
  private readonly byObject = new Map<string, Set<string>>();
  private readonly flights = new Map<string, Flight>();
  private readonly queue: Job[] = [];
  private readonly invalidated = new Map<string, number>();
  /** Shadows that failed to build or came out larger than the cap: background builds skip them. */
  private readonly refused = new Set<string>();
  private seq = 0;
  /** Highest sequence number of a forgotten invalidation record. */
  private floor = 0;
  private total = 0;
  private files = 0;
  private running: Promise<void> | undefined;
  private readonly removals = new Set<Promise<void>>();
  private closed = false;
  private readonly abort = new AbortController();
  private readonly lookups = new Counter('selectd_select_shadow_lookups_total', 'Select columnar cache lookups by result (hit, miss)');
  private readonly written = new Counter('selectd_select_shadow_written_bytes_total', 'bytes of Parquet shadows written');
  private readonly builds = new Counter('selectd_select_shadow_builds_total', 'Parquet shadow builds by result (kept, oversize, stale, failed)');
  private readonly evictions = new Counter('selectd_select_shadow_evictions_total', 'Parquet shadows dropped by reason (lru, invalidated)');

  private constructor(private readonly opts: Required<ShadowCacheOptions>) {
    this.metrics = [
      this.lookups, this.written, this.builds, this.evictions,
      new Gauge('selectd_select_shadow_bytes', 'bytes of Parquet shadows in the columnar cache', () => this.total),
      new Gauge('selectd_select_shadow_entries', 'Parquet shadows in the columnar cache', () => this.entries.size),
      new Gauge('selectd_select_shadow_pending', 'Parquet shadow builds queued or running', () => this.queue.length + this.flights.size),
    ];
  }

  /** Empties (or creates) `dir` and returns a cache over it. */
  static async open(opts: ShadowCacheOptions): Promise<ShadowCache> {
    await fs.promises.rm(opts.dir, { recursive: true, force: true });
    await fs.promises.mkdir(opts.dir, { recursive: true, mode: 0o700 });
    return new ShadowCache({ maxQueued: 32, maxInvalidations: 4096, ...opts });
  }

  get enabled(): boolean {
    return this.opts.maxBytes > 0 && !this.closed;
  }

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  get bytes(): number {
    return this.total;
  }

  /** Take this before reading an object's metadata; builds from that read carry it. */
  stamp(): number {
    return this.seq;
  }

  /** The indexed shadow, pinned, or undefined (counted as a hit or a miss). */
  lookup<M>(ref: ObjectRef, variant: string): ShadowLease<M> | undefined {
    const e = this.entries.get(entryId(ref, variant));
    this.lookups.inc({ result: e ? 'hit' : 'miss' });
    if (!e) return undefined;
    this.touch(e);
    e.pins++;
    return this.leaseOf<M>(e);
  }

  /**
   * The shadow, built now when there is none (concurrent callers share one build). The result is
   * pinned for the caller even when it cannot be kept (too large, or its object changed meanwhile).
   */
  async getOrBuild<M>(ref: ObjectRef, variant: string, stamp: number, build: ShadowBuilder<M>): Promise<ShadowLease<M>> {
    const hit = this.lookup<M>(ref, variant);
    if (hit) return hit;
    const flight = this.flight(ref, variant, stamp, build as ShadowBuilder<unknown>);
    flight.waiters++;
    return this.leaseOf<M>(await flight.promise);
  }

  /** Queues a background build (one runs at a time) unless the shadow exists or is on its way. */
  schedule<M>(ref: ObjectRef, variant: string, stamp: number, build: ShadowBuilder<M>): void {
    const id = entryId(ref, variant);
    if (!this.enabled || this.entries.has(id) || this.flights.has(id) || this.refused.has(id)) return;
    if (this.queue.some((j) => entryId(j.ref, j.variant) === id) || this.queue.length >= this.opts.maxQueued) return;
    this.queue.push({ ref, variant, stamp, build: build as ShadowBuilder<unknown> });
    this.running ??= this.drain();
  }

  /**
   * Takes over `file`, a complete shadow that a query wrote for itself (in this file system), unless the
   * object already has one or is getting one. Returns whether the file was taken (moved into the cache).
   */
  async adopt<M>(ref: ObjectRef, variant: string, stamp: number, file: string, built: BuiltShadow<M>): Promise<boolean> {
    const id = entryId(ref, variant);
    if (!this.enabled || this.entries.has(id) || this.flights.has(id)) return false;
    const { final } = this.uniquePaths(id);
    let bytes: number;
    try {
      bytes = (await fs.promises.stat(file)).size;
      await fs.promises.rename(file, final);
    } catch {
      return false;
    }
    await this.settle(id, ref, stamp, final, bytes, built, 0);
    return true;
  }

  /** Resolves once no background build is queued or running and dropped files are gone. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
    await Promise.all(this.removals);
  }

  /** Drops every shadow of, or depending on, the object; builds that read it before now are discarded. */
  invalidate(bucket: string, key: string): void {
    const oid = objectId(bucket, key);
    this.invalidated.delete(oid);
    this.invalidated.set(oid, ++this.seq);
    if (this.invalidated.size > this.opts.maxInvalidations) {
      const [oldest, at] = this.invalidated.entries().next().value!;
      this.invalidated.delete(oldest);
      this.floor = Math.max(this.floor, at);
    }
    for (const id of [...(this.byObject.get(oid) ?? [])]) {
      const e = this.entries.get(id);
      if (e) this.drop(e, 'invalidated');
    }
  }

  /** Stops background work (running builds are aborted) and waits for it. Held leases stay valid. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.abort.abort(new Error('The columnar cache is closing.'));
    await this.idle();
  }

  private async drain(): Promise<void> {
    try {
      for (let job = this.queue.shift(); job && !this.closed; job = this.queue.shift()) {
        const id = entryId(job.ref, job.variant);
        if (this.entries.has(id) || this.flights.has(id)) continue;
        await this.flight(job.ref, job.variant, job.stamp, job.build).promise.catch(() => undefined);
      }
    } finally {
      this.running = undefined;
    }
  }

  private flight(ref: ObjectRef, variant: string, stamp: number, build: ShadowBuilder<unknown>): Flight {
    const id = entryId(ref, variant);
    const existing = this.flights.get(id);
    if (existing) return existing;
    const flight: Flight = { waiters: 0, promise: undefined as unknown as Promise<Entry> };
    flight.promise = this.run(id, ref, stamp, build, flight).then(
      (entry) => {
        this.flights.delete(id);
        return entry;
      },
      (e: unknown) => {
        this.flights.delete(id);
        throw e;
      },
    );
    this.flights.set(id, flight);
    return flight;
  }

  private uniquePaths(id: string): { tmp: string; final: string } {
    const unique = `${id}.${(++this.files).toString(36)}${randomBytes(4).toString('hex')}`;
    return { tmp: path.join(this.opts.dir, `${unique}.tmp`), final: path.join(this.opts.dir, `${unique}.parquet`) };
  }

  private async run(id: string, ref: ObjectRef, stamp: number, build: ShadowBuilder<unknown>, flight: Flight): Promise<Entry> {
    const { tmp, final } = this.uniquePaths(id);
    let built: BuiltShadow<unknown>;
    let bytes: number;
    try {
      built = await build(tmp, this.abort.signal);
      bytes = (await fs.promises.stat(tmp)).size;
      await fs.promises.rename(tmp, final);
    } catch (e) {
      this.builds.inc({ result: 'failed' });
      // A busy engine or a shutdown may pass; a broken object does not, until it is rewritten (new ETag).
      if (!this.closed && !(e instanceof S3Error && e.code === 'Busy')) this.refuse(id);
      await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
    // Pinned for every caller awaiting this build before it becomes visible to eviction.
    return this.settle(id, ref, stamp, final, bytes, built, flight.waiters);
  }

  /** Indexes a finished file, or deletes it (unless pinned) when it is stale or too large. */
  private async settle(id: string, ref: ObjectRef, stamp: number, file: string, bytes: number, built: BuiltShadow<unknown>, pins: number): Promise<Entry> {
    this.written.inc({}, bytes);
    const objects = [objectId(ref.bucket, ref.key), ...(built.deps ?? []).map((d) => objectId(d.bucket, d.key))];
    const entry: Entry = { id, path: file, bytes, objects, meta: built.meta, pins, indexed: false };
    const fresh = objects.every((o) => (this.invalidated.get(o) ?? (stamp < this.floor ? Infinity : 0)) <= stamp);
    if (!fresh || this.closed) this.builds.inc({ result: 'stale' });
    else if (bytes > this.opts.maxBytes) {
      this.builds.inc({ result: 'oversize' });
      this.refuse(id);
    } else {
      this.builds.inc({ result: 'kept' });
      this.insert(entry);
    }
    if (!entry.indexed && entry.pins === 0) await this.remove(file);
    return entry;
  }

  private insert(e: Entry): void {
    const old = this.entries.get(e.id);
    if (old) this.drop(old, 'invalidated');
    this.entries.set(e.id, e);
    e.indexed = true;
    this.total += e.bytes;
    for (const o of e.objects) {
      let ids = this.byObject.get(o);
      if (!ids) this.byObject.set(o, (ids = new Set()));
      ids.add(e.id);
    }
    for (const victim of this.entries.values()) {
      if (this.total <= this.opts.maxBytes) break;
      if (victim !== e) this.drop(victim, 'lru');
    }
  }

  private drop(e: Entry, reason: 'lru' | 'invalidated'): void {
    if (!e.indexed) return;
    e.indexed = false;
    this.entries.delete(e.id);
    this.total -= e.bytes;
    for (const o of e.objects) {
      const ids = this.byObject.get(o);
      ids?.delete(e.id);
      if (ids?.size === 0) this.byObject.delete(o);
    }
    this.evictions.inc({ reason });
    if (e.pins === 0) void this.remove(e.path);
  }

  /** Deletes a file that is no longer indexed nor in use; failures only leave a file for the next start. */
  private remove(file: string): Promise<void> {
    const p = fs.promises.rm(file, { force: true }).catch(() => undefined).finally(() => this.removals.delete(p));
    this.removals.add(p);
    return p;
  }

  private refuse(id: string): void {
    this.refused.add(id);
    if (this.refused.size > this.opts.maxInvalidations) this.refused.delete(this.refused.values().next().value!);
  }

  private touch(e: Entry): void {
    this.entries.delete(e.id);
    this.entries.set(e.id, e);
  }

  private leaseOf<M>(e: Entry): ShadowLease<M> {
    let released = false;
    return {
      path: e.path,
      meta: e.meta as M,
      release: async () => {
        if (released) return;
        released = true;
        e.pins--;
        if (e.pins === 0 && !e.indexed) await this.remove(e.path);
      },
    };
  }
}

function entryId(ref: ObjectRef, variant: string): string {
  return createHash('sha256').update(JSON.stringify([ref.bucket, ref.key, ref.etag, variant])).digest('hex').slice(0, 40);
}
