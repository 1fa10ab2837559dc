// Uploads built data-set files to a bucket of a running endpoint. Each object carries its sha256 as user
// metadata, so a later upload (or a benchmark run) can tell the object holds exactly the built bytes.
import type { S3Client } from '../bench/s3-client.js';
import type { BuiltFile } from './build.js';

export const SHA256_META = 'x-amz-meta-sha256';

export interface UploadResult {
  key: string;
  /** False when the object was already there with the same checksum. */
  uploaded: boolean;
}

export async function uploadFiles(
  client: S3Client, bucket: string, files: BuiltFile[], log: (line: string) => void = () => {},
): Promise<UploadResult[]> {
  await client.createBucket(bucket);
  const results: UploadResult[] = [];
  for (const f of files) {
    const head = await client.headObject(bucket, f.name);
    if (head && head[SHA256_META] === f.sha256 && Number(head['content-length']) === f.bytes) {
      log(`${bucket}/${f.name}: already uploaded`);
      results.push({ key: f.name, uploaded: false });
      continue;
    }
    const t0 = Date.now();
    await client.putFile(bucket, f.name, f.path, { [SHA256_META]: f.sha256 });
    const s = (Date.now() - t0) / 1000;
    log(`${bucket}/${f.name}: uploaded ${f.bytes} bytes in ${s.toFixed(1)} s`);
    results.push({ key: f.name, uploaded: true });
  }
  return results;
}
