// The objects suite (the gateway's yardstick): PUT and GET of objects of each size, HEAD latency and a
// ListObjectsV2 walk, each beside a bare loopback HTTP server doing the same I/O and the raw file system.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Rng } from '../datasets/generate.js';
import { durableWrite, startBareServer } from './bare-http.js';
import type { Case, RunMode, RunOutcome, Side } from './measure.js';
import { S3Client } from './s3-client.js';
import type { Target } from './select-cases.js';
import type { ObjectsSuite } from './suite.js';

export function sizeLabel(bytes: number): string {
  for (const [unit, n] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
  }
  return `${bytes}B`;
}

/** Writes `bytes` of seeded pseudo-random (incompressible) data. */
async function writeRandomFile(file: string, bytes: number, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const out = createWriteStream(file);
  for (let done = 0; done < bytes;) {
    const n = Math.min(1 << 20, bytes - done);
    const chunk = Buffer.allocUnsafe(n + 3);
    for (let i = 0; i < n; i += 4) chunk.writeUInt32LE(rng.next(), i);
    if (!out.write(chunk.subarray(0, n))) await new Promise<void>((r) => out.once('drain', () => r()));
    done += n;
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

const digest = (value: string): RunOutcome['answer'] => ({ kind: 'digest', value });

async function sha256OfStream(src: AsyncIterable<unknown>): Promise<string> {
  const h = createHash('sha256');
  for await (const c of src) h.update(c as Buffer);
  return h.digest('hex');
}

const sha256OfFile = (file: string): Promise<string> => sha256OfStream(createReadStream(file));

function side(name: string, run: (mode: RunMode) => Promise<RunOutcome>): Side {
  return { name, run };
}

/** Drains a response, hashing it in check mode; throws on an error status. */
async function drain(res: import('node:http').IncomingMessage, mode: RunMode, what: string): Promise<RunOutcome> {
  if ((res.statusCode ?? 0) >= 300) throw new Error(`${what}: status ${res.statusCode}`);
  if (mode === 'check') return { answer: digest(await sha256OfStream(res)) };
  let n = 0;
  for await (const c of res) n += (c as Buffer).length;
  return { bytesReturned: n };
}

export interface ObjectCases {
  cases: Case[];
  close(): Promise<void>;
}

export async function objectCases(suite: ObjectsSuite, ours: Target, tmpDir: string, log: (line: string) => void): Promise<ObjectCases> {
  const { client, bucket } = ours;
  const srcDir = path.join(tmpDir, 'source');
  const bareDir = path.join(tmpDir, 'bare');
  const fsDir = path.join(tmpDir, 'fs');
  const listDir = path.join(tmpDir, 'list');
  for (const d of [srcDir, bareDir, fsDir, listDir]) mkdirSync(d, { recursive: true });
  const bare = await startBareServer(bareDir);
  const bareClient = new S3Client({ url: bare.url, accessKey: '', secretKey: '' });
  await client.createBucket(bucket);
  const cases: Case[] = [];

  for (const [i, size] of suite.sizes.entries()) {
    const label = sizeLabel(size);
    const src = path.join(srcDir, label);
    await writeRandomFile(src, size, 1000 + i);
    // GET reads an object stored once up front, the bare server the same bytes from its directory.
    const getKey = `objects/get-${label}`;
    await client.putFile(bucket, getKey, src);
    await pipeline(createReadStream(src), createWriteStream(path.join(bareDir, `get-${label}`)));
    const putKey = `objects/put-${label}`;
    const body = { stream: () => createReadStream(src), length: size };

    cases.push({
      name: `PUT ${label}`, bytes: size,
      ours: side('selectd', async (mode) => {
        await client.putFile(bucket, putKey, src);
        return mode === 'check' ? drain(await client.stream({ method: 'GET', bucket, key: putKey }), mode, 'GET back') : {};
      }),
      baselines: [
        side('bare http', async (mode) => {
          const res = await bareClient.stream({ method: 'PUT', key: `put-${label}`, body, signed: false });
          await drain(res, 'timed', 'bare PUT');
          return mode === 'check' ? { answer: digest(await sha256OfFile(path.join(bareDir, `put-${label}`))) } : {};
        }),
        side('fs', async (mode) => {
          const dest = path.join(fsDir, `put-${label}`);
          await durableWrite(createReadStream(src), dest);
          return mode === 'check' ? { answer: digest(await sha256OfFile(dest)) } : {};
        }),
      ],
    });
    cases.push({
      name: `GET ${label}`, bytes: size,
      ours: side('selectd', async (mode) => drain(await client.stream({ method: 'GET', bucket, key: getKey }), mode, 'GET')),
      baselines: [
        side('bare http', async (mode) => drain(await bareClient.stream({ method: 'GET', key: `get-${label}`, signed: false }), mode, 'bare GET')),
        side('fs', async (mode) => {
          if (mode === 'check') return { answer: digest(await sha256OfFile(src)) };
          let n = 0;
          for await (const c of createReadStream(src)) n += (c as Buffer).length;
          return { bytesReturned: n };
        }),
      ],
    });
  }

  const headLabel = sizeLabel(suite.sizes[0]!);
  const headOps = suite.headOps;
  const heads = async (f: () => Promise<string>, mode: RunMode): Promise<RunOutcome> => {
    let length = '';
    for (let i = 0; i < (mode === 'check' ? 1 : headOps); i++) length = await f();
    return mode === 'check' ? { answer: digest(`content-length ${length}`) } : {};
  };
  cases.push({
    name: 'HEAD', ops: headOps,
    ours: side('selectd', (mode) => heads(async () => String((await client.headObject(bucket, `objects/get-${headLabel}`))?.['content-length']), mode)),
    baselines: [side('bare http', (mode) => heads(async () => {
      const r = await bareClient.request({ method: 'HEAD', key: `get-${headLabel}`, signed: false });
      return String(r.headers['content-length']);
    }, mode))],
  });

  log(`objects: storing ${suite.listKeys} keys to list`);
  const names = Array.from({ length: suite.listKeys }, (_, i) => `k${String(i).padStart(6, '0')}`);
  const empty = Buffer.alloc(0);
  for (let i = 0; i < names.length; i += 16) {
    await Promise.all(names.slice(i, i + 16).map(async (n) => {
      await client.putBuffer(bucket, `list/${n}`, empty);
      await writeFile(path.join(listDir, n), empty);
    }));
  }
  const nameDigest = (xs: string[]): string => createHash('sha256').update([...xs].sort().join('\n')).digest('hex');
  cases.push({
    name: `LIST ${suite.listKeys} keys`,
    ours: side('selectd', async (mode) => {
      const keys = (await client.listKeys(bucket, 'list/')).map((k) => k.slice('list/'.length));
      return mode === 'check' ? { answer: digest(nameDigest(keys)) } : {};
    }),
    baselines: [side('fs readdir+stat', async (mode) => {
      const entries = await readdir(listDir);
      await Promise.all(entries.map((e) => stat(path.join(listDir, e))));
      return mode === 'check' ? { answer: digest(nameDigest(entries)) } : {};
    })],
  });

  return {
    cases,
    async close() {
      bareClient.close();
      await bare.close();
    },
  };
}
