// Whole-file reads of the pyarrow-written fixtures (test/fixtures/orc/make_orc.py): every value of every
// column must equal what pyarrow wrote, for every codec, encoding and type.
import { describe, expect, it } from 'vitest';
import { expected, openFixture, readColumns } from './helpers/orc.js';

const valueFiles = Object.entries(expected.files).filter(([, f]) => f.data !== 'chunks');

describe('ORC fixtures decode to the values pyarrow wrote', () => {
  for (const [name, file] of valueFiles) {
    it(name, async () => {
      const { reader } = await openFixture(name);
      expect(reader.numberOfRows).toBe(file.rows);
      expect(reader.stripes).toHaveLength(file.stripes);
      const { columns } = await readColumns(reader);
      const want = expected.data[file.data] as { names: string[]; values: Record<string, unknown[]> };
      expect(reader.arrowSchema().fields.map((f) => f.name)).toEqual(want.names);
      if (file.rows === 0) {
        expect(columns).toEqual({});
        return;
      }
      expect(Object.keys(columns)).toEqual(want.names);
      for (const [column, values] of Object.entries(want.values)) expect(columns[column], column).toEqual(values);
    });
  }
});
