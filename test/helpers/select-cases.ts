// Runs many S3 Select cases through one boto3 process (a process per case would dominate test time).
import { BOTO, expectOk } from './clients.js';

export interface SelectCase {
  key: string;
  expression: string;
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
  scanRange?: { Start?: number; End?: number };
  progress?: boolean;
}

export interface SelectResult {
  records?: string;
  stats?: { BytesScanned: number; BytesProcessed: number; BytesReturned: number };
  events?: string[];
  /** Error code: from the HTTP error (before the stream) or from an error event (after it started). */
  error?: string;
  /** 'http' or 'event'. */
  errorKind?: string;
  message?: string;
}

const RUNNER = `
cases = json.loads(sys.stdin.read())
out = []
for c in cases:
    kw = dict(Bucket=c['bucket'], Key=c['key'], Expression=c['expression'], ExpressionType='SQL',
              InputSerialization=c['input'], OutputSerialization=c.get('output') or {'CSV': {}})
    if c.get('scanRange'): kw['ScanRange'] = c['scanRange']
    if c.get('progress'): kw['RequestProgress'] = {'Enabled': True}
    res = {}
    try:
        r = s3.select_object_content(**kw)
        recs, events = b'', []
        try:
            for ev in r['Payload']:
                name = list(ev.keys())[0]
                events.append(name)
                if name == 'Records': recs += ev['Records']['Payload']
                if name == 'Stats': res['stats'] = ev['Stats']['Details']
        except botocore.exceptions.EventStreamError as e:
            res['error'] = e.response['Error']['Code']; res['errorKind'] = 'event'; res['message'] = e.response['Error'].get('Message')
        res['records'] = recs.decode('utf-8')
        res['events'] = events
    except botocore.exceptions.ClientError as e:
        res['error'] = e.response['Error']['Code']; res['errorKind'] = 'http'; res['message'] = e.response['Error'].get('Message')
    out.append(res)
print(json.dumps(out))
`;

export async function runSelectCases(url: string, bucket: string, cases: SelectCase[]): Promise<SelectResult[]> {
  const { run, clientEnv } = await import('./clients.js');
  const r = await run('python3', ['-c', BOTO + RUNNER], {
    env: clientEnv({ ENDPOINT: url }),
    input: JSON.stringify(cases.map((c) => ({ ...c, bucket }))),
  });
  return JSON.parse(expectOk(r)) as SelectResult[];
}


