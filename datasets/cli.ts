// `npm run datasets -- <name> [options]`: build a data set's derivations and optionally upload them.
import { parseArgs } from 'node:util';
import { S3Client } from '../bench/s3-client.js';
import { buildDataset, ChecksumMismatchError } from './build.js';
import { derivation, derivationFormats } from './derivations.js';
import { listManifests, loadManifest } from './manifest.js';
import { uploadFiles } from './upload.js';

const USAGE = `usage: npm run datasets -- <name>|all [options]

  --formats LIST      comma-separated formats (default: the manifest's derivations)
  --scale N           copies of a real data set, or a size for generated ones (1MB … 10GB)
  --seed N            generator seed
  --out DIR           output folder (default datasets/out)
  --update-manifest   record the built checksums in the manifest
  --list              list data sets and formats
  --upload URL        upload the built files to this endpoint, with
  --bucket B --access-key K --secret-key S [--region R]
`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      formats: { type: 'string' }, scale: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
      'update-manifest': { type: 'boolean' }, list: { type: 'boolean' }, help: { type: 'boolean' },
      upload: { type: 'string' }, bucket: { type: 'string' }, 'access-key': { type: 'string' },
      'secret-key': { type: 'string' }, region: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.list) {
    for (const name of listManifests()) {
      const m = loadManifest(name);
      process.stdout.write(`${name.padEnd(14)} ${m.rows ?? '(scaled)'} rows; default formats ${m.derivations.join(', ')}\n  ${m.description}\n`);
    }
    process.stdout.write(`\nformats:\n${derivationFormats().map((f) => `  ${f.padEnd(10)} ${derivation(f).description}`).join('\n')}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  let client: S3Client | undefined;
  if (values.upload !== undefined) {
    if (!values.bucket || !values['access-key'] || !values['secret-key']) {
      process.stderr.write('--upload needs --bucket, --access-key and --secret-key\n');
      return 2;
    }
    client = new S3Client({ url: values.upload, accessKey: values['access-key'], secretKey: values['secret-key'], region: values.region });
  }
  const names = positionals[0] === 'all' ? listManifests() : [positionals[0]!];
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const log = (line: string): void => { process.stdout.write(`${line}\n`); };
  let status = 0;
  try {
    for (const name of names) {
      const built = await buildDataset({
        name, formats: values.formats?.split(',').map((f) => f.trim()).filter(Boolean), scale: values.scale, seed,
        outDir: values.out, updateManifest: values['update-manifest'], log,
      });
      for (const f of built.files) log(`  ${f.name}  ${f.bytes} bytes  ${f.rows} rows  sha256 ${f.sha256}  ${f.verification}`);
      // A format asked for by name that cannot be built is a failure; a default one is skipped with a message.
      if (built.skipped.length > 0 && values.formats !== undefined) status = 1;
      if (client) await uploadFiles(client, values.bucket!, built.files, log);
    }
  } catch (e) {
    if (!(e instanceof ChecksumMismatchError)) throw e;
    process.stderr.write(`CHECKSUM MISMATCH: ${e.message}\n`);
    return 1;
  } finally {
    client?.close();
  }
  return status;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`datasets: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
