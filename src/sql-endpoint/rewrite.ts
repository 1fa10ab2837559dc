// Replaces the s3:// references the guard found with local files, editing only the located literals
// (or, for glob/read_text/read_blob, the located call) so the rest of the client's text stays as written.
import { s3Error } from '../errors.js';
import type { GuardedStatement } from './guard.js';
import type { ResolvedObject, Resolver } from './resolve.js';
import { sourceFor } from './sources.js';
import { callSpanAt, charOffset, literalAt, sqlString } from './sqltext.js';
import { refused, type FileRef } from './tree.js';

export interface Rewritten {
  body: string;
  /** Every local file the body reads. */
  paths: Set<string>;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Largest object read_text / read_blob may read. */
export const MAX_WHOLE_FILE_BYTES = 64 * 1024 * 1024;

const list = (items: readonly string[]) => `[${items.map(sqlString).join(', ')}]`;

/** The literal the tree points at, checked to hold exactly the value DuckDB parsed. */
function literalSpan(body: string, ref: FileRef): { start: number; end: number } {
  const at = charOffset(body, ref.location);
  const lit = at === undefined ? undefined : literalAt(body, at);
  if (!lit || lit.value !== ref.values[0]) throw refused(`reference ${JSON.stringify(ref.values[0])}`, 'write s3:// URLs as plain string literals');
  return lit;
}

function callSpan(body: string, ref: FileRef): { start: number; end: number } {
  const at = charOffset(body, ref.location);
  const span = at === undefined ? undefined : callSpanAt(body, at);
  if (!span) throw refused(`${ref.fn ?? 'function'}() call`, 'it could not be located in the text');
  return span;
}

async function relationFor(objects: ResolvedObject[], url: string): Promise<string> {
  const sources = await Promise.all(objects.map((o) => sourceFor(o.info, o.path)));
  const kinds = [...new Set(sources.map((s) => s.key))];
  if (kinds.length > 1) {
    const formats = [...new Set(sources.map((s) => s.format + (s.compression ? `+${s.compression}` : '')))].join(', ');
    throw s3Error('InvalidArgument', `The objects matched by ${url} have different formats (${formats}); narrow the glob or use read_csv/read_json/read_parquet.`);
  }
  return sources[0]!.relation(objects.map((o) => o.path));
}

/** Rewrites the statement's references; the caller verifies the result with the guard. */
export async function rewriteStatement(stmt: GuardedStatement, resolver: Resolver): Promise<Rewritten> {
  const paths = new Set<string>();
  const edits: Edit[] = [];
  const resolveAll = async (urls: readonly string[]) => {
    const objects = (await Promise.all(urls.map((u) => resolver.resolve(u)))).flat();
    for (const o of objects) paths.add(o.path);
    return objects;
  };

  for (const ref of stmt.refs) {
    switch (ref.kind) {
      case 'table': {
        const span = literalSpan(stmt.body, ref);
        const relation = await relationFor(await resolveAll(ref.values), ref.values[0]!);
        edits.push({ ...span, text: `(FROM ${relation})` });
        break;
      }
      case 'reader': {
        const span = literalSpan(stmt.body, ref);
        const objects = await resolveAll(ref.values);
        const single = objects.length === 1 && !/[*?]/.test(ref.values[0]!);
        edits.push({ ...span, text: single ? sqlString(objects[0]!.path) : list(objects.map((o) => o.path)) });
        break;
      }
      case 'reader-list': {
        const span = literalSpan(stmt.body, ref);
        edits.push({ ...span, text: (await resolveAll(ref.values)).map((o) => sqlString(o.path)).join(', ') });
        break;
      }
      case 'whole-file': {
        const span = callSpan(stmt.body, ref);
        const objects = await resolveAll(ref.values);
        const big = objects.find((o) => o.info.size > MAX_WHOLE_FILE_BYTES);
        // read_text/read_blob hold each object in memory as one value, outside DuckDB's memory limit.
        if (big) throw refused(`${ref.fn}() of ${big.url}`, `it reads whole objects into memory; this one is over ${MAX_WHOLE_FILE_BYTES} bytes`);
        const local = list(objects.map((o) => o.path));
        // The filename column shows each file's s3:// URL instead of its server path.
        const filename = `(${list(objects.map((o) => o.url))})[list_position(${local}, filename)]`;
        edits.push({ ...span, text: `(SELECT * REPLACE (${filename} AS filename) FROM ${ref.fn}(${local}))` });
        break;
      }
      case 'glob': {
        const span = callSpan(stmt.body, ref);
        const objects = await resolver.resolve(ref.values[0]!).catch((err: unknown) => {
          if ((err as { code?: string }).code === 'NoSuchKey') return [];
          throw err;
        });
        const rows = objects.length > 0 ? `SELECT unnest(${list(objects.map((o) => o.url))}) AS file` : 'SELECT NULL::VARCHAR AS file WHERE false';
        edits.push({ ...span, text: `(${rows})` });
        break;
      }
    }
  }

  edits.sort((a, b) => a.start - b.start);
  for (let i = 1; i < edits.length; i++) {
    if (edits[i]!.start < edits[i - 1]!.end) throw refused('nested file references', 'a file reference cannot contain another');
  }
  let body = stmt.body;
  for (const e of [...edits].reverse()) body = body.slice(0, e.start) + e.text + body.slice(e.end);
  return { body, paths };
}
