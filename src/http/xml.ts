// S3 XML in and out: one builder and one parser configuration for every handler.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Readable } from 'node:stream';
import { s3Error, type S3Error } from '../errors.js';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, processEntities: true });

export type XmlValue = string | number | boolean | undefined | null | XmlObject | XmlValue[];
export interface XmlObject { [name: string]: XmlValue }

/** Serialises `{ Root: {...} }`; arrays become repeated elements, undefined values are omitted. */
export function toXml(root: string, body: XmlObject, namespace = true): string {
  const clean = prune(body) as XmlObject;
  const content = namespace ? { '@_xmlns': S3_NS, ...clean } : clean;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: content })}`;
}

function prune(v: XmlValue): XmlValue {
  if (Array.isArray(v)) return v.map(prune);
  if (v && typeof v === 'object') {
    const out: XmlObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined && x !== null) out[k] = prune(x);
    return out;
  }
  return v;
}

export function errorXml(err: S3Error, resource: string, requestId: string): string {
  return toXml('Error', { Code: err.code, Message: err.message, ...err.details, Resource: resource, RequestId: requestId }, false);
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ['Object', 'Part'].includes(name),
});

/** Parses a request body, rejecting anything that is not well-formed XML with `rootName` as root. */
export function parseXml(text: string, rootName: string): XmlObject {
  if (text.trim() === '') throw s3Error('MalformedXML');
  if (XMLValidator.validate(text) !== true) throw s3Error('MalformedXML');
  const doc = parser.parse(text) as XmlObject;
  const root = doc[rootName];
  if (root === undefined) throw s3Error('MalformedXML', `The XML root element must be ${rootName}.`);
  return root === '' ? {} : (root as XmlObject);
}

/** Reads a small request body (XML documents), refusing more than `limit` bytes. */
export async function readSmallBody(body: Readable, limit = 4 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw s3Error('MalformedXML', `The XML document exceeds ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function text(v: XmlValue): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
