// From s3:// URLs to the store's local files. Object files have generated names, so a URL is resolved
// through the store (bucket check, key lookup, or a listing under the glob's literal head), never
// through the filesystem. Globs: `*` and `?` stay within one path segment, `**` crosses segments.
import { S3Error, s3Error } from '../errors.js';
import type { ObjectInfo, Store } from '../store/store.js';
import { refused } from './tree.js';

export interface ResolvedObject {
  url: string;
  info: ObjectInfo;
  /** The local file holding the object's bytes. */
  path: string;
}

export interface ResolveOptions {
  /** Buckets queries may read; empty = all. */
  buckets: readonly string[];
  /** Most objects one URL (a glob) may expand to. */
  maxObjects: number;
}

export interface S3Url {
  bucket: string;
  key: string;
  /** True when the key holds `*` or `?`. */
  glob: boolean;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const LIST_PAGE = 1000;

export function parseS3Url(url: string): S3Url {
  if (!url.startsWith('s3://')) throw refused(`path ${url}`, "only this server's objects can be read, as s3://bucket/key URLs");
  const m = /^s3:\/\/([^/]*)\/(.*)$/s.exec(url);
  if (!m) throw refused(`URL ${url}`, 'write objects as s3://bucket/key');
  const [, bucket, key] = m as unknown as [string, string, string];
  if (!BUCKET.test(bucket)) throw refused(`URL ${url}`, 'the bucket name is not valid');
  if (key === '') throw refused(`URL ${url}`, 'name an object or a glob after the bucket');
  if (key.split('/').some((seg) => seg === '..' || seg === '.')) throw refused(`URL ${url}`, "'.' and '..' path segments are not allowed");
  if (key.includes('\0')) throw refused(`URL ${url}`, 'keys cannot contain NUL');
  return { bucket, key, glob: /[*?]/.test(key) };
}

/** A glob over keys as a regular expression. */
export function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      // `**/` also matches nothing, so `a/**/b` matches `a/b`.
      if (pattern[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** Resolves URLs for one request, remembering each answer (a URL may appear several times). */
export class Resolver {
  private readonly cache = new Map<string, Promise<ResolvedObject[]>>();

  constructor(private readonly store: Store, private readonly opts: ResolveOptions) {}

  resolve(url: string): Promise<ResolvedObject[]> {
    let p = this.cache.get(url);
    if (!p) this.cache.set(url, (p = this.lookup(url)));
    return p;
  }

  /** Every object resolved so far (deduplicated), e.g. for statistics. */
  async objects(): Promise<ResolvedObject[]> {
    const all = new Map<string, ResolvedObject>();
    for (const list of await Promise.all(this.cache.values())) for (const o of list) all.set(o.url, o);
    return [...all.values()];
  }

  private async lookup(url: string): Promise<ResolvedObject[]> {
    const { bucket, key, glob } = parseS3Url(url);
    if (this.opts.buckets.length > 0 && !this.opts.buckets.includes(bucket)) {
      throw refused(`bucket ${bucket}`, 'this server does not allow SQL over that bucket');
    }
    if (!this.store.localPath) throw s3Error('NotImplemented', 'This store does not keep objects in local files, which SQL needs.');
    try {
      await this.store.headBucket(bucket);
    } catch (err) {
      if (err instanceof S3Error && err.code === 'NoSuchBucket') throw s3Error('NoSuchBucket', `The bucket of ${url} does not exist.`, { BucketName: bucket });
      throw err;
    }
    const infos = glob ? await this.list(bucket, key) : [await this.head(bucket, key, url)];
    if (infos.length === 0) throw s3Error('NoSuchKey', `No object matches ${url}.`, { Key: key });
    return Promise.all(infos.map(async (info) => {
      const path = await this.store.localPath!(bucket, info.key);
      if (!path) throw s3Error('NotImplemented', `The store has no local file for s3://${bucket}/${info.key}.`);
      return { url: `s3://${bucket}/${info.key}`, info, path };
    }));
  }

  private async head(bucket: string, key: string, url: string): Promise<ObjectInfo> {
    try {
      return await this.store.headObject(bucket, key);
    } catch (err) {
      if (err instanceof S3Error && (err.code === 'NoSuchKey' || err.code === 'InvalidObjectName' || err.code === 'KeyTooLongError')) {
        throw s3Error('NoSuchKey', `The object ${url} does not exist.`, { Key: key });
      }
      throw err;
    }
  }

  /** Keys under the glob's literal head that match it, in key order. */
  private async list(bucket: string, pattern: string): Promise<ObjectInfo[]> {
    const prefix = pattern.slice(0, pattern.search(/[*?]/));
    const re = globRegExp(pattern);
    const out: ObjectInfo[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.listObjects(bucket, { prefix, after, maxKeys: LIST_PAGE });
      for (const info of page.objects) {
        if (!re.test(info.key)) continue;
        if (out.length >= this.opts.maxObjects) {
          throw refused(`glob s3://${bucket}/${pattern}`, `it matches more than ${this.opts.maxObjects} objects`);
        }
        out.push(info);
      }
      if (!page.isTruncated || page.nextAfter === undefined) return out;
      after = page.nextAfter;
    }
  }
}
