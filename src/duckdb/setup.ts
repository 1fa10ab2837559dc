// Start-up of the shared DuckDB instance: configuration at creation, SQL macros, then the sandbox.
// Order matters (see the DuckDB notes): allowed_directories before enable_external_access=false, and
// lock_configuration last, after which every SET fails for every connection.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InstanceConfig {
  spillDir: string;
  memoryLimit?: string;
  threads?: number;
}

/** Creates the instance. Only vetted keys are passed: unknown or odd values have crashed DuckDB. */
export async function createInstance(cfg: InstanceConfig): Promise<DuckDBInstance> {
  const options: Record<string, string> = {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    // A dedicated spill dir: the default ('.tmp' under cwd) would silently join the sandbox.
    temp_directory: cfg.spillDir,
  };
  if (cfg.memoryLimit) options.memory_limit = cfg.memoryLimit;
  if (cfg.threads !== undefined) options.threads = String(Math.max(1, Math.floor(cfg.threads)));
  return DuckDBInstance.create(':memory:', options);
}

/** The directory holding package.json, found by walking up from this module (works from src/ and dist/). */
export function findPackageRoot(fromUrl: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('selectd: package.json not found above ' + fileURLToPath(fromUrl));
    dir = parent;
  }
}

/** Runs every `sql/*.sql` file of the package (sorted by name); each may hold several statements. */
export async function loadSqlDir(conn: DuckDBConnection, dir = path.join(findPackageRoot(), 'sql')): Promise<string[]> {
  const files = (await fs.promises.readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  for (const f of files) {
    await conn.run(await fs.promises.readFile(path.join(dir, f), 'utf8'));
  }
  return files;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A directory as given and as resolved through symlinks, each with a trailing separator. */
async function dirForms(dir: string): Promise<string[]> {
  const forms = new Set([path.resolve(dir)]);
  forms.add(await fs.promises.realpath(dir));
  return [...forms].map((d) => (d.endsWith(path.sep) ? d : d + path.sep));
}

/**
 * Confines file access to `allowedDirs`, pins the session time zone to UTC (TIMESTAMPTZ values then
 * convert to plain TIMESTAMP as UTC instants) and locks the configuration.
 */
export async function lockDown(conn: DuckDBConnection, allowedDirs: readonly string[]): Promise<void> {
  const dirs = (await Promise.all(allowedDirs.map(dirForms))).flat();
  await conn.run(`SET TimeZone = 'UTC'`);
  await conn.run(`SET allowed_directories = [${[...new Set(dirs)].map(lit).join(', ')}]`);
  await conn.run('SET enable_external_access = false');
  await conn.run('SET lock_configuration = true');
}
