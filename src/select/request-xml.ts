// Reads a SelectObjectContent request body into a plain element tree without losing carriage returns.
// XML parsers normalise CR and CRLF to LF in text, which would turn a `\r\n` RecordDelimiter into `\n`;
// botocore sends that CR literally, so before parsing every CR in character data is rewritten as the
// character reference `&#13;`, which survives normalisation and decodes back to CR.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { s3Error } from '../errors.js';

export interface XmlElement {
  name: string;
  /** Character data directly inside the element (all text pieces joined), entities decoded. */
  text: string;
  children: XmlElement[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  // Enables numeric character references (&#13; &#xD;), which the default configuration leaves alone.
  htmlEntities: true,
});

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

// CDATA section | comment | tag or declaration (quoted attribute values may contain '>') | text | stray '<'.
const TOKEN = /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<(?:[^>"']|"[^"]*"|'[^']*')*>|[^<]+|</g;

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Rewrites CRs in text and CDATA as `&#13;`; CRs inside tags are markup whitespace and stay. */
function protectCarriageReturns(xml: string): string {
  if (!xml.includes('\r')) return xml;
  return xml.replace(TOKEN, (token: string, cdata: string | undefined) => {
    if (cdata !== undefined) return cdata.includes('\r') ? escapeText(cdata) : token;
    if (token[0] === '<') return token;
    return token.replace(/\r/g, '&#13;');
  });
}

type Parsed = string | { [name: string]: Parsed | Parsed[] };

function toElement(name: string, value: Parsed): XmlElement {
  if (typeof value === 'string') return { name, text: value, children: [] };
  const children: XmlElement[] = [];
  let text = '';
  for (const [key, v] of Object.entries(value)) {
    if (key === '#text') {
      text += String(v);
      continue;
    }
    for (const item of Array.isArray(v) ? v : [v]) children.push(toElement(key, item));
  }
  return { name, text, children };
}

/**
 * Parses the request body into its root element. Throws EmptyRequestBody for an empty body and
 * MalformedXML for anything that is not one well-formed UTF-8 XML document without a DTD.
 */
export function parseRequestXml(body: string | Uint8Array): XmlElement {
  let xml: string;
  if (typeof body === 'string') xml = body;
  else {
    try {
      xml = utf8.decode(body);
    } catch {
      throw s3Error('MalformedXML', 'The request body is not valid UTF-8.');
    }
  }
  if (xml.charCodeAt(0) === 0xfeff) xml = xml.slice(1);
  if (xml.trim() === '') throw s3Error('EmptyRequestBody');
  // A DTD could declare entities; S3 request bodies never need one.
  if (/<!DOCTYPE/i.test(xml)) throw s3Error('MalformedXML', 'Document type declarations are not allowed.');
  if (XMLValidator.validate(xml) !== true) throw s3Error('MalformedXML');
  let doc: Record<string, Parsed>;
  try {
    doc = parser.parse(protectCarriageReturns(xml)) as Record<string, Parsed>;
  } catch {
    throw s3Error('MalformedXML');
  }
  const roots = Object.keys(doc).filter((k) => k !== '#text');
  if (roots.length !== 1 || Array.isArray(doc[roots[0]!])) throw s3Error('MalformedXML', 'The document must have exactly one root element.');
  return toElement(roots[0]!, doc[roots[0]!] as Parsed);
}
