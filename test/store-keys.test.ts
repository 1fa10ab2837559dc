import { describe, expect, it } from 'vitest';
import { objectKey, validateBucketName, validateObjectKey } from '../src/store/keys.js';
import { expectS3Error } from './helpers/store.js';

describe('bucket names', () => {
  it.each(['abc', 'my-bucket', 'data.lake.2024', 'a1b', '0-9', 'x'.repeat(63)])('accepts %s', (name) => {
    expect(() => validateBucketName(name)).not.toThrow();
  });

  it.each([
    'ab', 'x'.repeat(64), 'MyBucket', 'under_score', '-start', 'end-', '.start', 'end.', 'a..b', 'a.-b', 'a-.b',
    '192.168.1.1', 'xn--abc', 'sthree-x', 'foo-s3alias', 'foo--ol-s3', 'sp ace', 'ünï',
  ])('rejects %j with InvalidBucketName', async (name) => {
    await expectS3Error(() => validateBucketName(name), 'InvalidBucketName');
  });
});

describe('object keys', () => {
  it.each(['a', 'with space', 'a+b', '100%', 'ü/日本/😀', 'dir/', 'a//b', '...', '.hidden', 'a/.b/c..', 'x'.repeat(1024), 'é'.repeat(512)])(
    'accepts %j',
    (key) => expect(() => validateObjectKey(key)).not.toThrow(),
  );

  it.each(['', '../x', 'a/../b', './a', 'a/./b', 'a/..', '.', '..', '/abs', 'nul\0byte', 'tab\tkey', 'line\nbreak', 'lone\ud800'])(
    'rejects %j with InvalidObjectName',
    async (key) => {
      await expectS3Error(() => validateObjectKey(key), 'InvalidObjectName');
    },
  );

  it('rejects keys over 1024 UTF-8 bytes with KeyTooLongError', async () => {
    await expectS3Error(() => validateObjectKey('x'.repeat(1025)), 'KeyTooLongError');
    await expectS3Error(() => validateObjectKey('é'.repeat(513)), 'KeyTooLongError'); // 513 chars, 1026 bytes
  });
});

describe('index key order', () => {
  it('sorts by bucket, then key in UTF-8 byte order (not UTF-16 order)', () => {
    const keys = ['b', 'a/b', 'a', 'a b', '\uffff', '\u{10000}', 'é', 'z', 'A', '日本'];
    const sorted = [...keys].sort((x, y) => Buffer.compare(objectKey('bkt', x), objectKey('bkt', y)));
    expect(sorted).toEqual(['A', 'a', 'a b', 'a/b', 'b', 'z', 'é', '日本', '\uffff', '\u{10000}']);
    // JavaScript's own sort puts the astral character before U+FFFF: the index must not.
    expect([...keys].sort().indexOf('\u{10000}')).toBeLessThan([...keys].sort().indexOf('\uffff'));
  });

  it('keeps every key of a bucket before any key of the next bucket name', () => {
    expect(Buffer.compare(objectKey('abc', '\u{10ffff}'), objectKey('abc-d', ''))).toBeLessThan(0);
    expect(Buffer.compare(objectKey('abc', 'zzz'), objectKey('abca', 'a'))).toBeLessThan(0);
  });
});
