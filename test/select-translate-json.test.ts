// Translated S3 Select queries over JSON input: paths and key matching, MISSING versus NULL, FROM paths
// with wildcards (the AWS documentation's examples), dynamic comparisons and arithmetic, aggregates,
// and JSON / CSV rendering of dynamic values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translate } from '../src/select/translate/index.js';
import { MAX_KEY_COLUMNS } from '../src/select/sources/json-keys.js';
import { Dataset, failureCode, JSON_OUT, KeyedJsonShadow, TranslateDb } from './helpers/translate-db.js';

let db: TranslateDb;
let docs: Dataset;

beforeAll(async () => {
  db = await TranslateDb.open();
  docs = Dataset.json(db, 'docs.json', [
    '{"name":"Susan Smith","org":"engineering","projects":[{"project_name":"project1","completed":false},{"project_name":"project2","completed":true}]}',
    '{"name":"Bob","Org":"sales","n":null,"score":7,"tags":["a","b"],"nested":{"Deep":{"x":1.5}}}',
    '{"name":"Zed","score":"7","odd key":{"a\\"b\\\\c":1,"":2,"x/y~z":3,"é":4}}',
  ].join('\n'));
});

afterAll(() => db?.close());

describe('AWS documentation examples', () => {
  it('reads attributes and list elements', async () => {
    expect(await docs.json('Select s.name from S3Object s LIMIT 1')).toEqual(['{"name":"Susan Smith"}']);
    expect(await docs.json('Select s.projects[0].project_name from S3Object s LIMIT 1')).toEqual(['{"project_name":"project1"}']);
  });

  it('walks FROM paths with wildcards, emitting MISSING ({}) where nothing matches', async () => {
    const rules = Dataset.json(db, 'rules.json',
      '{ "Rules": [ {"id": "1"}, {"expr": "y > x"}, {"id": "2", "expr": "z = DEBUG"} ]}\n{ "created": "June 27", "modified": "July 6" }\n');
    expect(await rules.json('SELECT id FROM S3Object[*].Rules[*].id')).toEqual(['{"id":"1"}', '{}', '{"id":"2"}', '{}']);
    expect(await rules.json('SELECT id FROM S3Object[*].Rules[*].id WHERE id IS NOT MISSING')).toEqual(['{"id":"1"}', '{"id":"2"}']);
  });

  it('binds the whole record to an alias, or to _1 when the path ends in a wildcard', async () => {
    const dirs = Dataset.json(db, 'dirs.json', [
      '{ "created": "936864000", "dir_name": "important_docs", "files": [ { "name": "." }, { "name": ".." }, { "name": ".aws" }, { "name": "downloads" } ], "owner": "AWS S3" }',
      '{ "created": "936864000", "dir_name": "other_docs", "files": [ { "name": "." }, { "name": ".." }, { "name": "my stuff" }, { "name": "backup" } ], "owner": "User" }',
    ].join('\n'));
    expect(await dirs.json('SELECT d.dir_name, d.files FROM S3Object[*] d')).toEqual([
      '{"dir_name":"important_docs","files":[{"name":"."},{"name":".."},{"name":".aws"},{"name":"downloads"}]}',
      '{"dir_name":"other_docs","files":[{"name":"."},{"name":".."},{"name":"my stuff"},{"name":"backup"}]}',
    ]);
    expect(await dirs.json('SELECT _1.dir_name, _1.owner FROM S3Object[*]')).toEqual([
      '{"dir_name":"important_docs","owner":"AWS S3"}', '{"dir_name":"other_docs","owner":"User"}',
    ]);
    expect(await dirs.run("SELECT f.name FROM S3Object[*].files[*] f WHERE f.name LIKE '.%'")).toEqual(['.', '..', '.aws', '.', '..']);
  });
});

describe('paths and key matching', () => {
  it('matches unquoted names ignoring case, exact spellings first, quoted names exactly', async () => {
    expect(await docs.json('SELECT s.org FROM S3Object s')).toEqual(['{"org":"engineering"}', '{"org":"sales"}', '{}']);
    expect(await docs.json('SELECT s."org" FROM S3Object s')).toEqual(['{"org":"engineering"}', '{}', '{}']);
    expect(await docs.run('SELECT s.nested.deep.X FROM S3Object s WHERE s.name = \'Bob\'')).toEqual(['1.5']);
  });

  it('takes an exact spelling first, and fails with AmbiguousFieldName when only several other cases match', async () => {
    const both = Dataset.json(db, 'both.json', '{"NAME":"upper","name":"lower"}\n');
    expect(await both.run('SELECT s.name, s.NAME, s."NAME" FROM S3Object s')).toEqual(['lower,upper,upper']);
    expect(await failureCode(() => both.run('SELECT s.Name FROM S3Object s'))).toBe('AmbiguousFieldName');
  });

  it('reaches keys with quotes, backslashes, slashes, empty names and non-ASCII letters', async () => {
    expect(await docs.json(`SELECT s."odd key"['a"b\\c'] AS q, s."odd key"[''] AS e, s."odd key"."x/y~z" AS p, s."odd key"['é'] AS u FROM S3Object s WHERE s.name = 'Zed'`))
      .toEqual(['{"q":1,"e":2,"p":3,"u":4}']);
  });

  it('indexes arrays from zero; out of range is MISSING', async () => {
    expect(await docs.json("SELECT s.tags[0], s.tags[1], s.tags[2] FROM S3Object s WHERE s.name = 'Bob'")).toEqual(['{"_1":"a","_2":"b"}']);
  });

  it('navigates FROM paths with names and indexes after the wildcard', async () => {
    const lists = Dataset.json(db, 'lists.json', '{"l":[{"v":1},{"v":2}]}\n{"l":[]}\n{"l":{"v":3}}\n');
    expect(await lists.json('SELECT v FROM S3Object[*].l[1].v')).toEqual(['{"v":2}', '{}', '{}']);
    expect(await lists.json("SELECT x.v FROM S3Object[*]['l'][*] x WHERE x.v NOT IN (1, 'a')")).toEqual(['{"v":2}']);
  });

  it('unpivots object values and walks several wildcards', async () => {
    const nested = Dataset.json(db, 'nested.json', '{"a":{"x":[1,2],"y":[]},"b":3}\n{"a":[]}\n');
    expect(await nested.json('SELECT * FROM S3Object[*].a.*[*]')).toEqual(['{"_1":1}', '{"_1":2}', '{}', '{}']);
    expect(await nested.json('SELECT v FROM S3Object[*].* v')).toEqual(['{"v":{"x":[1,2],"y":[]}}', '{"v":3}', '{"v":[]}']);
  });
});

describe('MISSING and NULL', () => {
  it('tells them apart with IS NULL / IS MISSING, and omits only MISSING from JSON output', async () => {
    expect(await docs.json("SELECT s.n, s.nope, s.n IS NULL AS a, s.n IS MISSING AS b, s.nope IS NULL AS c, s.nope IS MISSING AS d FROM S3Object s WHERE s.name = 'Bob'"))
      .toEqual(['{"n":null,"a":true,"b":false,"c":true,"d":true}']);
    expect(await docs.run("SELECT s.n, s.nope, 'x' FROM S3Object s WHERE s.name = 'Bob'")).toEqual([',,x']);
  });

  it('makes comparisons with NULL or MISSING unknown', async () => {
    expect(await docs.run('SELECT s.name FROM S3Object s WHERE s.n = 1 OR s.n <> 1 OR s.nope = 1 OR s.nope <> 1')).toEqual([]);
  });
});

describe('dynamic comparisons', () => {
  it('never equates values of different kinds: = is false and <> true', async () => {
    expect(await docs.run("SELECT s.name FROM S3Object s WHERE s.score = 7")).toEqual(['Bob']);
    expect(await docs.run("SELECT s.name FROM S3Object s WHERE s.score = '7'")).toEqual(['Zed']);
    expect(await docs.run("SELECT s.name FROM S3Object s WHERE s.score <> 7")).toEqual(['Zed']);
    expect(await docs.run("SELECT s.name FROM S3Object s WHERE s.score > 6")).toEqual(['Bob']);
  });

  it('compares numbers across int and float, strings, booleans, and whole arrays', async () => {
    const vals = Dataset.json(db, 'vals.json', '{"v":2}\n{"v":2.0}\n{"v":2.5}\n{"v":"2"}\n{"v":true}\n{"v":[1,2]}\n');
    expect(await vals.run('SELECT v FROM S3Object s WHERE s.v = 2')).toEqual(['2', '2.0']);
    expect(await vals.run('SELECT v FROM S3Object s WHERE s.v BETWEEN 2.1 AND 3')).toEqual(['2.5']);
    expect(await vals.run('SELECT v FROM S3Object s WHERE s.v IN (2.5, \'2\', true)')).toEqual(['2.5', '2', 'true']);
    expect(await vals.json('SELECT v FROM S3Object s WHERE s.v = s.v AND s.v <> 2 AND s.v <> 2.5')).toEqual(['{"v":"2"}', '{"v":true}', '{"v":[1,2]}']);
  });

  it('reads JSON strings as timestamps when compared with one', async () => {
    const events = Dataset.json(db, 'events.json', '{"d":"2020-01-01T10:00Z"}\n{"d":"2021-06-01T"}\n{"d":"soon"}\n');
    expect(await events.run('SELECT d FROM S3Object s WHERE s.d > `2020-06-01T`')).toEqual(['2021-06-01T']);
  });
});

describe('dynamic arithmetic', () => {
  it('keeps ints as ints (integer division), uses floats otherwise, and makes non-numbers MISSING', async () => {
    const nums = Dataset.json(db, 'nums.json', '{"a":7,"b":2}\n{"a":7.5,"b":2}\n{"a":"7","b":2}\n{"a":null,"b":2}\n');
    expect(await nums.json('SELECT s.a / s.b AS q, s.a % s.b AS r, s.a * s.b AS p, -s.a AS n FROM S3Object s')).toEqual([
      '{"q":3,"r":1,"p":14,"n":-7}', '{"q":3.75,"r":1.5,"p":15.0,"n":-7.5}', '{}', '{"q":null,"r":null,"p":null,"n":null}',
    ]);
  });

  it('raises IntegerOverflow and Division by zero', async () => {
    const edge = Dataset.json(db, 'edge.json', '{"a":9223372036854775807,"z":0}\n');
    expect(await failureCode(() => edge.run('SELECT s.a + 1 FROM S3Object s'))).toBe('IntegerOverflow');
    expect(await failureCode(() => edge.run('SELECT s.a / s.z FROM S3Object s'))).toBe('ExternalEvalException');
  });
});

describe('aggregates over JSON', () => {
  it('sums ints as ints, mixed numbers as floats, skips non-numbers, NULL and MISSING', async () => {
    const nums = Dataset.json(db, 'agg.json', '{"v":1}\n{"v":2}\n{"v":null}\n{}\n{"v":"x"}\n{"v":0.5}\n');
    expect(await nums.json('SELECT COUNT(*) AS a, COUNT(s.v) AS b, SUM(s.v) AS c, AVG(s.v) AS d, MIN(s.v) AS e, MAX(s.v) AS f FROM S3Object s'))
      .toEqual(['{"a":6,"b":4,"c":3.5,"d":1.16666666666667,"e":0.5,"f":"x"}']);
    expect(await nums.json('SELECT SUM(s.v) FROM S3Object s WHERE s.v <> 0.5')).toEqual(['{"_1":3}']);
  });

  it('groups and orders dynamic values by kind, then value', async () => {
    const mixed = Dataset.json(db, 'mixed.json', '{"k":"b"}\n{"k":10}\n{"k":9}\n{"k":"a"}\n{"k":true}\n{"k":9}\n{}\n');
    expect(await mixed.run('SELECT s.k, COUNT(*) FROM S3Object s GROUP BY s.k ORDER BY s.k')).toEqual(['true,1', '9,2', '10,1', 'a,1', 'b,1', ',1']);
  });
});

describe('rendering dynamic values', () => {
  it('prints SELECT * records as they are, and as CSV fields of their values', async () => {
    const recs = Dataset.json(db, 'recs.json', '{"a":"x,y","b":{"c":[1]},"d":null}\n[1,"two"]\n"scalar"\n');
    expect(await recs.json('SELECT * FROM S3Object')).toEqual(['{"a":"x,y","b":{"c":[1]},"d":null}', '{"_1":[1,"two"]}', '{"_1":"scalar"}']);
    expect(await recs.run('SELECT * FROM S3Object')).toEqual(['"x,y","{""c"":[1]}",', '1,two', 'scalar']);
    // SELECT s.* is the record too, not wrapped in {"_1": …}.
    expect(await recs.json('SELECT s.* FROM S3Object s LIMIT 1')).toEqual(['{"a":"x,y","b":{"c":[1]},"d":null}']);
  });

  it('splices alias.* members beside other items', async () => {
    expect(await docs.json("SELECT s.nested.Deep.*, s.name FROM S3Object s WHERE s.name = 'Bob'")).toEqual(['{"x":1.5,"name":"Bob"}']);
  });

  it('escapes strings in JSON output and writes JSON numbers as their JSON text, FLOAT values like Java', async () => {
    const text = Dataset.json(db, 'text.json', '{"s":"q\\"uote\\\\ line\\nbreak é","f":1e-7,"g":12345678.5,"h":100.0}\n');
    expect(await text.json('SELECT s.s, s.f, s.g, s.h, CAST(s.f AS FLOAT) AS ff, CAST(s.g AS FLOAT) AS gf FROM S3Object s'))
      .toEqual(['{"s":"q\\"uote\\\\ line\\nbreak é","f":1e-7,"g":12345678.5,"h":100.0,"ff":1.0E-7,"gf":1.23456785E7}']);
    expect(await text.run('SELECT s.s, s.g FROM S3Object s')).toEqual(['"q""uote\\ line\nbreak é",12345678.5']);
  });

  it('writes COUNT(*) as {"_1":n}', async () => {
    expect(await docs.json('SELECT COUNT(*) FROM S3Object')).toEqual(['{"_1":3}']);
  });
});

describe('referenced keys', () => {
  it('lists top-level keys, or only the FROM path root', () => {
    expect(translate('SELECT s.a.b, s."C" FROM S3Object s WHERE s.d > 1', { format: 'json' }, JSON_OUT).referenced)
      .toEqual({ all: false, keys: ['a', 'C', 'd'] });
    expect(translate('SELECT x FROM S3Object[*].items[*] x', { format: 'json' }, JSON_OUT).referenced).toEqual({ all: false, keys: ['items'] });
    expect(translate('SELECT * FROM S3Object', { format: 'json' }, JSON_OUT).referenced.all).toBe(true);
  });
});

describe('key columns of the columnar cache', () => {
  async function keysOf(name: string, text: string): Promise<string[] | undefined> {
    return (await shapeOf(name, text)).jsonKeys;
  }

  async function shapeOf(name: string, text: string) {
    return (await new KeyedJsonShadow(db, db.file(name, text), `${db.dir}/${name}.parquet`).open()).shape;
  }

  it('notes when every record has the same keys in the same order, keeping that order', async () => {
    expect(await shapeOf('u1.json', '{"z":1,"a":"x"}\n{"z":2,"a":null}\n')).toMatchObject({ jsonKeys: ['z', 'a'], jsonUniform: true });
    expect((await shapeOf('u2.json', '{"z":1,"a":"x"}\n{"a":"y","z":2}\n')).jsonUniform).toBeUndefined();
    expect((await shapeOf('u3.json', '{"z":1}\n{}\n')).jsonUniform).toBeUndefined();
    expect((await shapeOf('u4.json', '{"z":1}\n"z"\n')).jsonUniform).toBeUndefined();
  });

  it('prints SELECT * of uniform records as CSV from the key columns, as the records themselves would', async () => {
    const uniform = Dataset.json(db, 'uniform.json', [
      '{"id":1,"s":"a,b","q":"say \\"hi\\"","n":null,"o":{"x":[1,2]},"f":1.50}',
      '{"id":2,"s":"line\\nbreak","q":"","n":7,"o":[],"f":-0.0}',
    ].join('\n'));
    expect(await uniform.run('SELECT * FROM S3Object')).toEqual(['1,"a,b","say ""hi""",,"{""x"":[1,2]}",1.5', '2,"line\nbreak",,7,[],-0.0']);
    expect(await uniform.run('SELECT s.*, s.id FROM S3Object s WHERE s.id = 2')).toEqual(['2,"line\nbreak",,7,[],-0.0,2']);
    expect(await uniform.json('SELECT * FROM S3Object s WHERE s.id = 1')).toEqual(['{"id":1,"s":"a,b","q":"say \\"hi\\"","n":null,"o":{"x":[1,2]},"f":1.5}']);
  });

  it('lists every top-level key of every record, whatever record has it', async () => {
    expect(await keysOf('k1.json', '{"b":null}\n[1,2]\n"x"\n{"a":{"z":1},"B":2}\n')).toEqual(['B', 'a', 'b']);
  });

  it('keeps records only when a key repeats within a record, a key is empty or there are too many', async () => {
    expect(await keysOf('k2.json', '{"a":1}\n{"a":1,"a":2}\n')).toBeUndefined();
    expect(await keysOf('k3.json', '{"":1,"a":2}\n')).toBeUndefined();
    const wide = Object.fromEntries(Array.from({ length: MAX_KEY_COLUMNS + 1 }, (_, i) => [`k${i}`, i]));
    expect(await keysOf('k4.json', JSON.stringify(wide) + '\n')).toBeUndefined();
  });

  it('reads top-level keys with quotes, backslashes, slashes and non-ASCII letters from their columns', async () => {
    const odd = Dataset.json(db, 'odd-top.json', '{"a\\"b":1,"c\\\\d":"x","x/y~z":[2],"é":3,"É":4}\n{"a\\"b":5}\n');
    expect(await keysOf('odd-top-keys.json', '{"a\\"b":1,"c\\\\d":"x","x/y~z":[2],"é":3,"É":4}\n')).toHaveLength(5);
    expect(await odd.json(`SELECT s['a"b'] AS q, s."c\\d" AS b, s."x/y~z"[0] AS p, s."é" AS e, s."É" AS u FROM S3Object s`))
      .toEqual(['{"q":1,"b":"x","p":2,"e":3,"u":4}', '{"q":5}']);
  });

  it('answers as the records do where several keys differ only in case', async () => {
    const cases = Dataset.json(db, 'cases.json', '{"Name":"a"}\n{"NAME":"b"}\n{"name":"c","NAME":"d"}\n{"Name":"e","NAME":"f"}\n');
    expect(await cases.run('SELECT s.name FROM S3Object s LIMIT 3')).toEqual(['a', 'b', 'c']);
    expect(await failureCode(() => cases.run('SELECT s.name FROM S3Object s'))).toBe('AmbiguousFieldName');
    expect(await cases.run('SELECT s."NAME" FROM S3Object s')).toEqual(['', 'b', 'd', 'f']);
  });
});

describe('BIGINT columns of int keys', () => {
  async function intKeysOf(name: string, text: string): Promise<string[] | undefined> {
    const { shape } = await new KeyedJsonShadow(db, db.file(name, text), `${db.dir}/${name}.parquet`).open();
    return shape.jsonIntKeys;
  }

  it('are kept only for keys whose numbers are all ints written as DuckDB writes them', async () => {
    const text = [
      '{"i":1,"n":null,"neg":-0,"f":1.0,"e":1e2,"big":9223372036854775808,"s":"1","mix":1,"none":null}',
      '{"i":-7,"n":3,"neg":2,"f":2,"e":3,"big":1,"s":"2","mix":"x"}',
      '{"n":null}',
    ].join('\n');
    // DuckDB's JSON reader keeps -0 as the int 0 (its text is "0"), so that key qualifies too.
    expect(await intKeysOf('ints.json', text)).toEqual(['i', 'n', 'neg']);
  });

  it('give the answers of the values themselves, with null and MISSING beside the ints', async () => {
    const ints = Dataset.json(db, 'agg-ints.json', [
      '{"k":"a","v":5}', '{"k":"b","v":null}', '{"k":"a"}', '{"k":"b","v":-12}', '{"k":"c","v":9223372036854775807}', '{"k":"c","v":1}',
    ].join('\n'));
    expect(await ints.run('SELECT MIN(s.v), MAX(s.v), COUNT(s.v), AVG(s.v) FROM S3Object s WHERE s.k <> \'c\'')).toEqual(['-12,5,2,-3.5']);
    expect(await ints.run('SELECT SUM(s.v) FROM S3Object s WHERE s.k = \'a\' OR s.k = \'b\'')).toEqual(['-7']);
    expect(await failureCode(() => ints.run('SELECT SUM(s.v) FROM S3Object s WHERE s.k <> \'b\''))).toBe('IntegerOverflow');
    expect(await ints.run('SELECT s.k, s.v FROM S3Object s WHERE s.v > 0 OR s.v = -12')).toEqual(['a,5', 'b,-12', 'c,9223372036854775807', 'c,1']);
    expect(await ints.json('SELECT s.v FROM S3Object s WHERE s.k = \'b\'')).toEqual(['{"v":null}', '{"v":-12}']);
    expect(await ints.run('SELECT s.k, MAX(s.v) FROM S3Object s GROUP BY s.k ORDER BY MAX(s.v)')).toEqual(['b,-12', 'a,5', 'c,9223372036854775807']);
    expect(await ints.run('SELECT s.v FROM S3Object s ORDER BY s.v DESC LIMIT 3')).toEqual(['', '', '9223372036854775807']);
    expect(await ints.run('SELECT s.v + 1, CAST(s.v AS FLOAT) FROM S3Object s WHERE s.v = 5')).toEqual(['6,5.0']);
  });
});

describe('DOUBLE columns of number keys', () => {
  async function numKeysOf(name: string, text: string): Promise<string[] | undefined> {
    const { shape } = await new KeyedJsonShadow(db, db.file(name, text), `${db.dir}/${name}.parquet`).open();
    return shape.jsonNumKeys;
  }

  it('are kept only for keys of numbers and nulls where equal numbers have equal texts and ints fit a DOUBLE', async () => {
    const text = [
      '{"f":1.5,"mixed":2,"same":5,"big":9007199254740993,"edge":9007199254740992,"s":1.5,"i":1,"n":null,"neg":-0.0}',
      '{"f":-2.25,"mixed":2.5,"same":5.0,"big":1.5,"edge":0.5,"s":"x","i":2,"neg":0.0}',
      '{"f":null,"mixed":null}',
    ].join('\n');
    // same: 5 beside 5.0 (one DOUBLE, two texts); big: an int past 2^53; s: a string; i: ints (a BIGINT
    // column instead); neg: -0.0 and 0.0 are one DOUBLE with two texts.
    expect(await numKeysOf('nums.json', text)).toEqual(['edge', 'f', 'mixed']);
  });

  it('give the answers of the values themselves for MIN, MAX, ordering and sums', async () => {
    const nums = Dataset.json(db, 'agg-nums.json', [
      '{"k":"a","v":2.5}', '{"k":"b","v":null}', '{"k":"a"}', '{"k":"b","v":-12}', '{"k":"c","v":1e300}', '{"k":"c","v":0.1}', '{"k":"a","v":7}',
    ].join('\n'));
    expect(await numKeysOf('agg-nums-keys.json', '{"v":2.5}\n{"v":-12}\n{"v":7}\n')).toEqual(['v']);
    expect(await nums.run('SELECT MIN(s.v), MAX(s.v), COUNT(s.v), SUM(s.v) FROM S3Object s WHERE s.k <> \'c\'')).toEqual(['-12,7,3,-2.5']);
    expect(await nums.json('SELECT MAX(s.v) AS m FROM S3Object s WHERE s.k = \'c\'')).toEqual(['{"m":1e300}']);
    expect(await nums.run('SELECT s.k, s.v FROM S3Object s WHERE s.v > 0.5 AND s.v < 100')).toEqual(['a,2.5', 'a,7']);
    expect(await nums.run('SELECT s.k, MAX(s.v), MIN(s.v) FROM S3Object s GROUP BY s.k ORDER BY s.k')).toEqual(['a,7,2.5', 'b,-12,-12', 'c,1e300,0.1']);
    expect(await nums.run('SELECT MAX(s.v) FROM S3Object s WHERE s.k = \'b\' AND s.v IS NULL')).toEqual(['']);
  });

  it('are what MIN, MAX and ordering read, as an int key orders by its BIGINT', () => {
    const sql = translate('SELECT MAX(s.f), MIN(s.f) FROM S3Object s WHERE s.i > 3 AND s.f < 2.5',
      { format: 'json', jsonKeys: ['i', 'f'], jsonIntKeys: ['i'], jsonNumKeys: ['f'] }, JSON_OUT).sql('R AS t');
    expect(sql).toContain('arg_max("s3_src"."s3_k2", "s3_src"."s3_f2")');
    expect(sql).toContain('arg_min("s3_src"."s3_k2", "s3_src"."s3_f2")');
    expect(sql).toContain('("s3_src"."s3_i1" > CAST(3 AS BIGINT))');
    expect(sql).toContain('("s3_src"."s3_f2" < ');
  });
});
