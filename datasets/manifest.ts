// Data-set manifests: what a data set is (source, schema, row count), which encodings are derived from it,
// and the sha256 of every built file, so that a benchmark run can prove which bytes it read.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, found from this module's location (source `datasets/` or compiled `dist/datasets/`). */
export const ROOT = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '../..') : path.resolve(here, '..');
})();
export const MANIFEST_DIR = path.join(ROOT, 'datasets', 'manifests');
export const DEFAULT_OUT_DIR = path.join(ROOT, 'datasets', 'out');

export interface Column {
  name: string;
  /** DuckDB type the canonical table uses (VARCHAR, BIGINT, DOUBLE, DATE, TIMESTAMP, DECIMAL(12,2)…). */
  type: string;
}

/** Real data shipped in an npm package: a file read by DuckDB with the manifest's schema. */
export interface PackageSource {
  kind: 'package';
  package: string;
  /** The exact version whose bytes the recorded checksums describe. */
  version: string;
  path: string;
  format: 'parquet' | 'csv' | 'json';
  sha256: string;
}

/** Data made by a seeded generator; `scale` is a size such as `1MB` or `10GB`. */
export interface GeneratorSource {
  kind: 'generator';
  generator: string;
  seed: number;
  scale: string;
}

export type Source = PackageSource | GeneratorSource;

export interface FileRecord {
  sha256: string;
  bytes: number;
  rows: number;
}

export interface Manifest {
  name: string;
  description: string;
  source: Source;
  /** Rows of the canonical table at scale 1 (package sources); null when it depends on the scale. */
  rows: number | null;
  schema: Column[];
  /** Formats built when none are asked for. */
  derivations: string[];
  /** Built file name → checksum, for the files built with the default scale and seed. */
  files: Record<string, FileRecord>;
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Json, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new ManifestError(`${where}: "${key}" must be a non-empty string`);
  return v;
}

function int(o: Json, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ManifestError(`${where}: "${key}" must be a non-negative integer`);
  return v;
}

const SHA256 = /^[0-9a-f]{64}$/;
// Identifiers end up in file names, SQL identifiers and object keys: keep them plain.
const NAME = /^[a-z0-9][a-z0-9._-]*$/;

function parseSource(v: unknown, where: string): Source {
  if (!isObject(v)) throw new ManifestError(`${where}: "source" must be an object`);
  if (v.kind === 'package') {
    const format = str(v, 'format', `${where}.source`);
    if (format !== 'parquet' && format !== 'csv' && format !== 'json') throw new ManifestError(`${where}.source: unknown format ${format}`);
    const sha256 = str(v, 'sha256', `${where}.source`);
    if (!SHA256.test(sha256)) throw new ManifestError(`${where}.source: "sha256" must be 64 lowercase hex digits`);
    return { kind: 'package', package: str(v, 'package', `${where}.source`), version: str(v, 'version', `${where}.source`),
      path: str(v, 'path', `${where}.source`), format, sha256 };
  }
  if (v.kind === 'generator') {
    return { kind: 'generator', generator: str(v, 'generator', `${where}.source`), seed: int(v, 'seed', `${where}.source`),
      scale: str(v, 'scale', `${where}.source`) };
  }
  throw new ManifestError(`${where}: source kind must be "package" or "generator"`);
}

/** Parses and validates a manifest's JSON text; `where` names it in error messages. */
export function parseManifest(text: string, where = 'manifest'): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`${where}: not JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) throw new ManifestError(`${where}: must be a JSON object`);
  const name = str(raw, 'name', where);
  if (!NAME.test(name)) throw new ManifestError(`${where}: name ${JSON.stringify(name)} must match ${NAME}`);
  const source = parseSource(raw.source, where);
  const rows = raw.rows === null ? null : int(raw, 'rows', where);
  if (rows === null && source.kind === 'package') throw new ManifestError(`${where}: a package source needs a row count`);

  if (!Array.isArray(raw.schema) || raw.schema.length === 0) throw new ManifestError(`${where}: "schema" must be a non-empty array`);
  const seen = new Set<string>();
  const schema = raw.schema.map((c, i): Column => {
    if (!isObject(c)) throw new ManifestError(`${where}.schema[${i}]: must be an object`);
    const col = { name: str(c, 'name', `${where}.schema[${i}]`), type: str(c, 'type', `${where}.schema[${i}]`) };
    if (!/^[A-Z][A-Z0-9_]*(\(\d+(,\s*\d+)?\))?$/.test(col.type)) throw new ManifestError(`${where}.schema[${i}]: bad type ${col.type}`);
    if (seen.has(col.name)) throw new ManifestError(`${where}.schema: duplicate column ${col.name}`);
    seen.add(col.name);
    return col;
  });

  if (!Array.isArray(raw.derivations) || raw.derivations.some((d) => typeof d !== 'string')) {
    throw new ManifestError(`${where}: "derivations" must be an array of format names`);
  }
  const files: Record<string, FileRecord> = {};
  if (raw.files !== undefined) {
    if (!isObject(raw.files)) throw new ManifestError(`${where}: "files" must be an object`);
    for (const [file, rec] of Object.entries(raw.files)) {
      if (!isObject(rec)) throw new ManifestError(`${where}.files.${file}: must be an object`);
      const sha256 = str(rec, 'sha256', `${where}.files.${file}`);
      if (!SHA256.test(sha256)) throw new ManifestError(`${where}.files.${file}: "sha256" must be 64 lowercase hex digits`);
      files[file] = { sha256, bytes: int(rec, 'bytes', `${where}.files.${file}`), rows: int(rec, 'rows', `${where}.files.${file}`) };
    }
  }
  return { name, description: typeof raw.description === 'string' ? raw.description : '', source, rows, schema,
    derivations: raw.derivations as string[], files };
}

export function manifestPath(name: string, dir = MANIFEST_DIR): string {
  return path.join(dir, `${name}.json`);
}

export function loadManifest(name: string, dir = MANIFEST_DIR): Manifest {
  if (!NAME.test(name)) throw new ManifestError(`unknown data set ${JSON.stringify(name)}`);
  let text: string;
  try {
    text = readFileSync(manifestPath(name, dir), 'utf8');
  } catch {
    throw new ManifestError(`unknown data set ${JSON.stringify(name)} (known: ${listManifests(dir).join(', ')})`);
  }
  return parseManifest(text, `${name}.json`);
}

export function listManifests(dir = MANIFEST_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

/** Rewrites a manifest file with new file records (kept sorted so diffs stay small). */
export function saveManifest(m: Manifest, dir = MANIFEST_DIR): void {
  const files = Object.fromEntries(Object.entries(m.files).sort(([a], [b]) => (a < b ? -1 : 1)));
  writeFileSync(manifestPath(m.name, dir), JSON.stringify({ ...m, files }, null, 2) + '\n');
}
