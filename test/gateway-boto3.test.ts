// boto3 against the real server: objects, ranges, conditionals, listing, copy, batch delete, presigning, multipart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOTO, expectOk, python } from './helpers/clients.js';
import { startServer, type RunningServer } from './helpers/server.js';

let server: RunningServer;
beforeAll(async () => { server = await startServer(); });
afterAll(async () => { await server?.stop(); });

const py = (script: string) => python(server.url, BOTO + script).then(expectOk);

describe('boto3', () => {
  it('puts, gets, ranges and conditionals', async () => {
    const out = await py(`
s3.create_bucket(Bucket='bkt1')
r = s3.put_object(Bucket='bkt1', Key='dir/héllo wörld+%.txt', Body=b'0123456789', ContentType='text/plain', Metadata={'owner': 'ann'})
etag = r['ETag']
g = s3.get_object(Bucket='bkt1', Key='dir/héllo wörld+%.txt')
assert g['Body'].read() == b'0123456789'
assert g['ContentType'] == 'text/plain' and g['Metadata'] == {'owner': 'ann'} and g['ETag'] == etag
assert s3.get_object(Bucket='bkt1', Key='dir/héllo wörld+%.txt', Range='bytes=2-4')['Body'].read() == b'234'
assert s3.get_object(Bucket='bkt1', Key='dir/héllo wörld+%.txt', Range='bytes=-3')['Body'].read() == b'789'
assert s3.get_object(Bucket='bkt1', Key='dir/héllo wörld+%.txt', Range='bytes=7-')['Body'].read() == b'789'
codes = []
for kw in [dict(Range='bytes=20-30'), dict(IfNoneMatch=etag), dict(IfMatch='"nope"')]:
    try:
        s3.get_object(Bucket='bkt1', Key='dir/héllo wörld+%.txt', **kw)
    except botocore.exceptions.ClientError as e:
        codes.append(e.response['ResponseMetadata']['HTTPStatusCode'])
h = s3.head_object(Bucket='bkt1', Key='dir/héllo wörld+%.txt', IfMatch=etag)
g = s3.get_object(Bucket='bkt1', Key='dir/héllo wörld+%.txt', ResponseContentType='application/x-test', ResponseContentDisposition='attachment')
print(json.dumps({'codes': codes, 'len': h['ContentLength'], 'ct': g['ContentType'], 'cd': g['ContentDisposition']}))
`);
    expect(JSON.parse(out)).toEqual({ codes: [416, 304, 412], len: 10, ct: 'application/x-test', cd: 'attachment' });
  });

  it('paginates 2,500 keys with a delimiter and copies and batch-deletes', async () => {
    const out = await py(`
from concurrent.futures import ThreadPoolExecutor
s3.create_bucket(Bucket='many')
def put(i):
    s3.put_object(Bucket='many', Key=f'k/{i:05d}', Body=str(i).encode())
with ThreadPoolExecutor(8) as ex:
    list(ex.map(put, range(2500)))
for p in ['a/1', 'a/2', 'b/1', 'top']:
    s3.put_object(Bucket='many', Key=p, Body=b'x')
pages = list(s3.get_paginator('list_objects_v2').paginate(Bucket='many', PaginationConfig={'PageSize': 1000}))
keys = [o['Key'] for p in pages for o in p.get('Contents', [])]
top = s3.list_objects_v2(Bucket='many', Delimiter='/')
prefixes = [p['Prefix'] for p in top.get('CommonPrefixes', [])]
v1 = list(s3.get_paginator('list_objects').paginate(Bucket='many', Prefix='k/', PaginationConfig={'PageSize': 700}))
vers = s3.list_object_versions(Bucket='many', Prefix='a/')
s3.copy_object(Bucket='many', Key='copied', CopySource={'Bucket': 'many', 'Key': 'top'}, Metadata={'x': 'y'}, MetadataDirective='REPLACE')
cp = s3.head_object(Bucket='many', Key='copied')
d = s3.delete_objects(Bucket='many', Delete={'Objects': [{'Key': 'a/1'}, {'Key': 'a/2'}, {'Key': 'nope'}]})
q = s3.delete_objects(Bucket='many', Delete={'Objects': [{'Key': 'b/1'}], 'Quiet': True})
print(json.dumps({'pages': len(pages), 'n': len(keys), 'sorted': keys == sorted(keys), 'prefixes': prefixes,
  'topKeys': [o['Key'] for o in top.get('Contents', [])], 'v1': sum(len(p.get('Contents', [])) for p in v1), 'v1pages': len(v1),
  'versions': [(v['Key'], v['VersionId']) for v in vers['Versions']], 'meta': cp['Metadata'],
  'deleted': sorted(x['Key'] for x in d['Deleted']), 'quiet': q.get('Deleted', []),
  'after': s3.list_objects_v2(Bucket='many', Prefix='a/')['KeyCount']}))
`);
    expect(JSON.parse(out)).toEqual({
      pages: 3, n: 2504, sorted: true, prefixes: ['a/', 'b/', 'k/'], topKeys: ['top'], v1: 2500, v1pages: 4,
      versions: [['a/1', 'null'], ['a/2', 'null']], meta: { x: 'y' }, deleted: ['a/1', 'a/2', 'nope'], quiet: [], after: 0,
    });
  });

  it('presigns GET and PUT', async () => {
    const out = await py(`
import requests
s3.create_bucket(Bucket='pre')
v4 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], config=Config(signature_version='s3v4'))
out = []
for name, client in [('default', s3), ('s3v4', v4)]:
    put = client.generate_presigned_url('put_object', Params={'Bucket': 'pre', 'Key': f'{name} k+1.txt'}, ExpiresIn=300)
    assert requests.put(put, data=b'presigned ' + name.encode()).status_code == 200
    get = client.generate_presigned_url('get_object', Params={'Bucket': 'pre', 'Key': f'{name} k+1.txt', 'ResponseContentType': 'text/x-test'}, ExpiresIn=300)
    r = requests.get(get)
    out.append([name, r.text, r.headers['content-type']])
print(json.dumps(out))
`);
    expect(JSON.parse(out)).toEqual([['default', 'presigned default', 'text/x-test'], ['s3v4', 'presigned s3v4', 'text/x-test']]);
  });

  it('uploads multipart with default checksums and reads them back', async () => {
    const out = await py(`
import hashlib
from boto3.s3.transfer import TransferConfig
s3.create_bucket(Bucket='mpu')
data = os.urandom(6 * 1024 * 1024) + b'tail' * 1000
import io
s3.upload_fileobj(io.BytesIO(data), 'mpu', 'big.bin', Config=TransferConfig(multipart_threshold=5*1024*1024, multipart_chunksize=5*1024*1024))
h = s3.head_object(Bucket='mpu', Key='big.bin', ChecksumMode='ENABLED')
body = s3.get_object(Bucket='mpu', Key='big.bin', ChecksumMode='ENABLED')['Body'].read()
parts = hashlib.md5(b''.join(hashlib.md5(data[i:i+5*1024*1024]).digest() for i in range(0, len(data), 5*1024*1024))).hexdigest()
up = s3.create_multipart_upload(Bucket='mpu', Key='aborted')
s3.upload_part(Bucket='mpu', Key='aborted', UploadId=up['UploadId'], PartNumber=1, Body=b'x')
listed = s3.list_multipart_uploads(Bucket='mpu')
lp = s3.list_parts(Bucket='mpu', Key='aborted', UploadId=up['UploadId'])
s3.abort_multipart_upload(Bucket='mpu', Key='aborted', UploadId=up['UploadId'])
small = None
up2 = s3.create_multipart_upload(Bucket='mpu', Key='small')
e1 = s3.upload_part(Bucket='mpu', Key='small', UploadId=up2['UploadId'], PartNumber=1, Body=b'a')['ETag']
e2 = s3.upload_part(Bucket='mpu', Key='small', UploadId=up2['UploadId'], PartNumber=2, Body=b'b')['ETag']
try:
    s3.complete_multipart_upload(Bucket='mpu', Key='small', UploadId=up2['UploadId'], MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': e1}, {'PartNumber': 2, 'ETag': e2}]})
except botocore.exceptions.ClientError as e:
    small = e.response['Error']['Code']
print(json.dumps({'same': body == data, 'etag': h['ETag'], 'expected': '"%s-2"' % parts, 'crc': 'ChecksumCRC32' in h,
  'uploads': [u['Key'] for u in listed.get('Uploads', [])], 'parts': [p['PartNumber'] for p in lp['Parts']], 'small': small,
  'left': [u['Key'] for u in s3.list_multipart_uploads(Bucket='mpu').get('Uploads', [])]}))
`);
    const r = JSON.parse(out);
    expect(r.same).toBe(true);
    expect(r.etag).toBe(r.expected);
    expect(r.crc).toBe(true);
    expect(r.uploads).toEqual(['aborted']);
    expect(r.parts).toEqual([1]);
    expect(r.small).toBe('EntityTooSmall');
    expect(r.left).toEqual(['small']);
  });
});
