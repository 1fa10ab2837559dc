// The aws CLI against the real server: the high-level `aws s3` commands (multipart above 8 MB) and `aws s3api`.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws, expectOk } from './helpers/clients.js';
import { startServer, type RunningServer } from './helpers/server.js';

let server: RunningServer;
let work: string;
beforeAll(async () => {
  server = await startServer();
  work = mkdtempSync(path.join(tmpdir(), 'selectd-cli-'));
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

const cli = (...args: string[]) => aws(server.url, args).then(expectOk);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('aws s3', () => {
  it('mb, cp (multipart), ls, sync, rm, rb', async () => {
    await cli('s3', 'mb', 's3://cli-bucket');
    const big = randomBytes(17 * 1024 * 1024 + 123);
    writeFileSync(path.join(work, 'big.bin'), big);
    await cli('s3', 'cp', path.join(work, 'big.bin'), 's3://cli-bucket/data/big.bin');
    await cli('s3', 'cp', 's3://cli-bucket/data/big.bin', path.join(work, 'back.bin'));
    expect(md5(readFileSync(path.join(work, 'back.bin')))).toBe(md5(big));
    const head = JSON.parse(await cli('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'data/big.bin'));
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(head.ContentLength).toBe(big.length);

    const src = path.join(work, 'tree');
    mkdirSync(path.join(src, 'sub dir'), { recursive: true });
    writeFileSync(path.join(src, 'a.txt'), 'alpha');
    writeFileSync(path.join(src, 'sub dir', 'b+c.txt'), 'beta');
    // S3 times have one-second resolution: files modified within the upload's second would look newer.
    const past = new Date(Date.now() - 3600_000);
    for (const f of ['a.txt', 'sub dir/b+c.txt']) utimesSync(path.join(src, f), past, past);
    await cli('s3', 'sync', src, 's3://cli-bucket/tree');
    const ls = await cli('s3', 'ls', 's3://cli-bucket/tree/', '--recursive');
    expect(ls).toContain('tree/a.txt');
    expect(ls).toContain('tree/sub dir/b+c.txt');
    // A second sync finds nothing to do.
    expect((await cli('s3', 'sync', src, 's3://cli-bucket/tree')).trim()).toBe('');
    const dst = path.join(work, 'down');
    await cli('s3', 'sync', 's3://cli-bucket/tree', dst);
    expect(readFileSync(path.join(dst, 'sub dir', 'b+c.txt'), 'utf8')).toBe('beta');

    const top = await cli('s3', 'ls', 's3://cli-bucket/');
    expect(top).toMatch(/PRE data\//);
    expect(top).toMatch(/PRE tree\//);
    expect(await cli('s3', 'ls')).toContain('cli-bucket');

    await cli('s3', 'rm', 's3://cli-bucket', '--recursive');
    expect((await cli('s3', 'ls', 's3://cli-bucket/', '--recursive')).trim()).toBe('');
    await cli('s3', 'rb', 's3://cli-bucket');
    expect(await cli('s3', 'ls')).not.toContain('cli-bucket');
  });
});

describe('aws s3api', () => {
  it('put-object with metadata, get-object with range, list-objects-v2, copy-object, delete-object', async () => {
    await cli('s3api', 'create-bucket', '--bucket', 'api-bucket');
    const file = path.join(work, 'small.txt');
    writeFileSync(file, 'hello world');
    const put = JSON.parse(await cli('s3api', 'put-object', '--bucket', 'api-bucket', '--key', 'x/y.txt', '--body', file,
      '--content-type', 'text/plain', '--metadata', 'team=data'));
    expect(put.ETag).toBe(`"${md5(Buffer.from('hello world'))}"`);
    const out = path.join(work, 'range.txt');
    const got = JSON.parse(await cli('s3api', 'get-object', '--bucket', 'api-bucket', '--key', 'x/y.txt', '--range', 'bytes=6-', out));
    expect(readFileSync(out, 'utf8')).toBe('world');
    expect(got.ContentRange).toBe('bytes 6-10/11');
    expect(got.Metadata).toEqual({ team: 'data' });
    await cli('s3api', 'copy-object', '--bucket', 'api-bucket', '--key', 'x/z.txt', '--copy-source', 'api-bucket/x/y.txt');
    const list = JSON.parse(await cli('s3api', 'list-objects-v2', '--bucket', 'api-bucket', '--prefix', 'x/'));
    expect(list.Contents.map((c: { Key: string }) => c.Key)).toEqual(['x/y.txt', 'x/z.txt']);
    const loc = JSON.parse(await cli('s3api', 'get-bucket-location', '--bucket', 'api-bucket'));
    expect(loc.LocationConstraint ?? null).toBeNull();
    await cli('s3api', 'delete-object', '--bucket', 'api-bucket', '--key', 'x/y.txt');
    const missing = await aws(server.url, ['s3api', 'head-object', '--bucket', 'api-bucket', '--key', 'x/y.txt']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('404');
    const noBucket = await aws(server.url, ['s3api', 'list-objects-v2', '--bucket', 'no-such-bucket']);
    expect(noBucket.stderr).toContain('NoSuchBucket');
    const notEmpty = await aws(server.url, ['s3api', 'delete-bucket', '--bucket', 'api-bucket']);
    expect(notEmpty.stderr).toContain('BucketNotEmpty');
    const again = await aws(server.url, ['s3api', 'create-bucket', '--bucket', 'api-bucket']);
    expect(again.stderr).toContain('BucketAlreadyOwnedByYou');
  });
});
