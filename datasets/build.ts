// Builds a data set's derivations into `<out>/<name>/`, deterministically, reusing files already built, and
// checks every file's sha256 against the manifest: the same inputs must give the same bytes.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { columnsStruct, derivation, sqlIdent, sqlString, type Derivation } from './derivations.js';
import { parseSize, writeLineitemFile } from './generate.js';
import { DEFAULT_OUT_DIR, MANIFEST_DIR, ROOT, loadManifest, saveManifest, type Manifest, type PackageSource } from './manifest.js';

export interface BuildOptions {
  name: string;
  /** Default: the manifest's derivations. */
  formats?: string[];
  /** Package sources: an integer number of copies (default 1). Generators: a size such as `10GB`. */
  scale?: string;
  /** Generator seed (default: the manifest's). */
  seed?: number;
  outDir?: string;
  manifestDir?: string;
  /** Record the built checksums in the manifest instead of failing on a difference. */
  updateManifest?: boolean;
  log?: (line: string) => void;
}

export type Verification = 'match' | 'unrecorded' | 'recorded';

export interface BuiltFile {
  format: string;
  /** File name, also the object key used for uploads. */
  name: string;
  path: string;
  bytes: number;
  sha256: string;
  rows: number;
  verification: Verification;
}

export interface BuiltDataset {
  manifest: Manifest;
  dir: string;
  scale: string;
  seed?: number;
  files: BuiltFile[];
  /** Formats asked for that cannot be built here, with the reason. */
  skipped: { format: string; reason: string }[];
}

/** What is known about files already built, so unchanged files are not rebuilt or rehashed. */
interface BuiltState {
  files: Record<string, { sha256: string; bytes: number; rows: number; mtimeMs: number }>;
}

export class ChecksumMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChecksumMismatchError';
  }
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Directory of an installed npm package (its exports may hide package.json, so walk up from its entry). */
export function packageDir(pkg: string): string {
  const require = createRequire(path.join(ROOT, 'package.json'));
  let dir = path.dirname(require.resolve(pkg));
  while (dir !== path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === pkg) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the installed package ${pkg}`);
}

function packageVersion(pkg: string): string {
  return (JSON.parse(readFileSync(path.join(packageDir(pkg), 'package.json'), 'utf8')) as { version: string }).version;
}

/** File-name infix for a non-default scale or seed, so variants never overwrite each other. */
export function variantSuffix(m: Manifest, scale: string, seed: number | undefined): string {
  if (m.source.kind === 'package') return scale === '1' ? '' : `.x${scale}`;
  const s = scale === m.source.scale ? '' : `.${scale}`;
  return s + (seed === m.source.seed ? '' : `.s${seed}`);
}

function canonicalSelect(m: Manifest, reader: string): string {
  const cols = m.schema.map((c) => `CAST(${sqlIdent(c.name)} AS ${c.type}) AS ${sqlIdent(c.name)}`).join(', ');
  return `SELECT ${cols} FROM ${reader}`;
}

function packageReader(src: PackageSource, file: string, copies: number, m: Manifest): string {
  const list = `[${Array.from({ length: copies }, () => sqlString(file)).join(', ')}]`;
  switch (src.format) {
    case 'parquet': return `read_parquet(${list})`;
    case 'csv': return `read_csv(${list}, header=true, auto_detect=false, columns=${columnsStruct(m.schema)})`;
    case 'json': return `read_json(${list}, format='auto', columns=${columnsStruct(m.schema)})`;
  }
}

export async function buildDataset(opts: BuildOptions): Promise<BuiltDataset> {
  const log = opts.log ?? (() => {});
  const manifestDir = opts.manifestDir ?? MANIFEST_DIR;
  const m = loadManifest(opts.name, manifestDir);
  const src = m.source;
  const dir = path.join(opts.outDir ?? DEFAULT_OUT_DIR, m.name);
  mkdirSync(dir, { recursive: true });

  let scale: string;
  let seed: number | undefined;
  if (src.kind === 'package') {
    scale = opts.scale ?? '1';
    if (!/^[1-9]\d{0,3}$/.test(scale)) throw new Error(`--scale for ${m.name} is a number of copies (1-9999), got ${scale}`);
    if (opts.seed !== undefined) throw new Error(`--seed applies to generated data sets only, not ${m.name}`);
  } else {
    scale = opts.scale ?? src.scale;
    parseSize(scale);
    seed = opts.seed ?? src.seed;
  }
  const suffix = variantSuffix(m, scale, seed);
  const isDefault = suffix === '';
  const statePath = path.join(dir, 'built.json');
  const state: BuiltState = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) as BuiltState : { files: {} };

  let instance: DuckDBInstance | undefined;
  let conn: DuckDBConnection | undefined;
  const db = async (): Promise<DuckDBConnection> => {
    if (!conn) {
      instance = await DuckDBInstance.create(':memory:', {
        threads: String(Math.max(1, cpus().length)), temp_directory: path.join(dir, '.duckdb-tmp'),
      });
      conn = await instance.connect();
    }
    return conn;
  };

  // Package sources: check the bytes before deriving anything from them.
  let canonicalSql: string | undefined;
  let canonicalRows: number | undefined;
  if (src.kind === 'package') {
    const file = path.join(packageDir(src.package), src.path);
    const version = packageVersion(src.package);
    const sha = await sha256File(file);
    if (sha !== src.sha256 || version !== src.version) {
      const msg = `${m.name}: source ${src.package}@${version} ${src.path} has sha256 ${sha}; ` +
        `the manifest expects ${src.package}@${src.version} with ${src.sha256}`;
      if (!opts.updateManifest) throw new ChecksumMismatchError(msg);
      log(`${msg}: updating the manifest`);
      m.source = { ...src, version, sha256: sha };
    }
    canonicalSql = canonicalSelect(m, packageReader(src, file, Number(scale), m));
    if (m.rows !== null) canonicalRows = m.rows * Number(scale);
  }

  const files: BuiltFile[] = [];
  const skipped: { format: string; reason: string }[] = [];
  const done = new Map<string, BuiltFile>();
  let manifestChanged = m.source !== src;

  const fileName = (format: string): string => `${m.name}${suffix}.${format}`;

  const record = async (format: string, file: string, rows: number): Promise<BuiltFile> => {
    const st = statSync(file);
    const sha256 = await sha256File(file);
    state.files[path.basename(file)] = { sha256, bytes: st.size, rows, mtimeMs: st.mtimeMs };
    writeFileSync(statePath, JSON.stringify(state, null, 2) + '\n');
    return { format, name: path.basename(file), path: file, bytes: st.size, sha256, rows, verification: 'unrecorded' };
  };

  const cached = (format: string): BuiltFile | undefined => {
    const name = fileName(format);
    const file = path.join(dir, name);
    const entry = state.files[name];
    if (!entry || !existsSync(file)) return undefined;
    const st = statSync(file);
    if (st.size !== entry.bytes || st.mtimeMs !== entry.mtimeMs) return undefined;
    return { format, name, path: file, bytes: entry.bytes, sha256: entry.sha256, rows: entry.rows, verification: 'unrecorded' };
  };

  const build = async (format: string): Promise<BuiltFile> => {
    const already = done.get(format);
    if (already) return already;
    const d: Derivation = derivation(format);
    const why = d.unavailable?.();
    if (why) throw new UnavailableError(format, why);
    const input = d.dependsOn ? (await build(d.dependsOn)).path : undefined;
    const out = path.join(dir, fileName(format));
    let built = cached(format);
    if (built) {
      log(`${path.basename(out)}: up to date`);
    } else {
      const t0 = Date.now();
      const tmp = `${out}.partial`;
      rmSync(tmp, { force: true });
      let rows: number;
      if (src.kind === 'generator' && format === 'csv') {
        if (src.generator !== 'lineitem') throw new Error(`${m.name}: unknown generator ${src.generator}`);
        rows = (await writeLineitemFile(tmp, { seed: seed!, bytes: parseSize(scale) })).rows;
      } else {
        const sql = canonicalSql ?? canonicalSelect(m, derivation('csv').duckdbRead!((await build('csv')).path, m.schema));
        await d.build({ manifest: m, canonicalSql: sql, db, input, outPath: tmp });
        rows = canonicalRows ?? (await build('csv')).rows;
      }
      renameSync(tmp, out);
      built = await record(format, out, rows);
      log(`${path.basename(out)}: built in ${((Date.now() - t0) / 1000).toFixed(1)} s (${built.bytes} bytes)`);
    }
    if (src.kind === 'generator' && format === 'csv') canonicalRows = built.rows;
    if (canonicalRows !== undefined && built.rows !== canonicalRows) {
      throw new ChecksumMismatchError(`${built.name}: ${built.rows} rows, expected ${canonicalRows}`);
    }
    built.verification = verify(m, built, isDefault, opts.updateManifest === true, () => { manifestChanged = true; });
    done.set(format, built);
    return built;
  };

  try {
    if (src.kind === 'package' && canonicalSql && canonicalRows !== undefined) {
      const missing = (opts.formats ?? m.derivations).some((f) => !cached(f));
      if (missing) await checkRowCount(await db(), canonicalSql, canonicalRows, m.name);
    }
    for (const format of opts.formats ?? m.derivations) {
      try {
        files.push(await build(format));
      } catch (e) {
        if (!(e instanceof UnavailableError)) throw e;
        skipped.push({ format, reason: e.reason });
        log(`${fileName(format)}: SKIPPED: ${e.reason}`);
      }
    }
  } finally {
    conn?.closeSync();
    instance?.closeSync();
    rmSync(path.join(dir, '.duckdb-tmp'), { recursive: true, force: true });
  }
  if (manifestChanged) {
    saveManifest(m, manifestDir);
    log(`${m.name}: manifest updated`);
  }
  return { manifest: m, dir, scale, seed, files, skipped };
}

class UnavailableError extends Error {
  constructor(readonly format: string, readonly reason: string) {
    super(`${format}: ${reason}`);
  }
}

async function checkRowCount(conn: DuckDBConnection, sql: string, expected: number, name: string): Promise<void> {
  const r = await conn.runAndReadAll(`SELECT count(*) AS n FROM (${sql})`);
  const n = Number(r.getRows()[0]![0]);
  if (n !== expected) throw new ChecksumMismatchError(`${name}: the source has ${n} rows, the manifest says ${expected}`);
}

/** Compares a built file with the manifest's record; records it when asked (default variant only). */
function verify(m: Manifest, f: BuiltFile, isDefault: boolean, update: boolean, changed: () => void): Verification {
  if (!isDefault) return 'unrecorded';
  const rec = m.files[f.name];
  if (rec && rec.sha256 === f.sha256 && rec.bytes === f.bytes && rec.rows === f.rows) return 'match';
  if (!update) {
    if (!rec) return 'unrecorded';
    throw new ChecksumMismatchError(`${f.name}: built sha256 ${f.sha256} (${f.bytes} bytes, ${f.rows} rows) differs from the ` +
      `manifest's ${rec.sha256} (${rec.bytes} bytes, ${rec.rows} rows); delete ${path.dirname(f.path)} and rebuild, or ` +
      'run with --update-manifest if the change is intended');
  }
  m.files[f.name] = { sha256: f.sha256, bytes: f.bytes, rows: f.rows };
  changed();
  return 'recorded';
}
