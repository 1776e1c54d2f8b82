// Request cases written from the CloudEvents 1.0.2 spec, its JSON event format and its HTTP
// protocol binding. Each case is one HTTP request and either the exact events it yields or the
// exact rejection (status, code, and where the problem is).

import { describe, expect, it } from 'vitest';
import { FlowbridgeError, type ErrorCode } from '../../../flows/error-codes.ts';
import { parseCloudEventsRequest, selectContentMode, type ContentMode, type EventProblem } from './cloudevents-binding.ts';

type Headers = Record<string, string | string[]>;

interface RequestCase {
  name: string;
  headers: Headers;
  body: string | Buffer;
  accept?: { mode: ContentMode; events: Record<string, unknown>[] };
  reject?: { status: number; code: ErrorCode; path?: string; index?: number; message?: RegExp };
}

const BASE = { specversion: '1.0', id: 'A234-1234-1234', source: '/mycontext', type: 'com.example.someevent' } as const;
const CE: Headers = { 'ce-specversion': '1.0', 'ce-id': 'A234-1234-1234', 'ce-source': '/mycontext', 'ce-type': 'com.example.someevent' };
const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

function structured(name: string, event: unknown, expect: Pick<RequestCase, 'accept' | 'reject'> | 'same', contentType = STRUCTURED): RequestCase {
  const body = typeof event === 'string' || Buffer.isBuffer(event) ? event : JSON.stringify(event);
  if (expect === 'same') return { name, headers: { 'content-type': contentType }, body, accept: { mode: 'structured', events: [event as Record<string, unknown>] } };
  return { name, headers: { 'content-type': contentType }, body, ...expect };
}

function binary(name: string, headers: Headers, body: string | Buffer, expect: Pick<RequestCase, 'accept' | 'reject'>): RequestCase {
  return { name, headers: { ...CE, ...headers }, body, ...expect };
}

const invalid = (path: string, message?: RegExp, index?: number): Pick<RequestCase, 'reject'> => ({
  reject: { status: 400, code: 'ERR_INGEST_INVALID_EVENT', path, message, ...(index === undefined ? {} : { index }) },
});
const event = (extra: Record<string, unknown>): Record<string, unknown> => ({ ...BASE, ...extra });
const oneBinary = (extra: Record<string, unknown>): Pick<RequestCase, 'accept'> => ({ accept: { mode: 'binary', events: [event(extra)] } });
const oneStructured = (extra: Record<string, unknown>): Pick<RequestCase, 'accept'> => ({ accept: { mode: 'structured', events: [event(extra)] } });

const modeCases: RequestCase[] = [
  structured('structured mode with application/cloudevents+json', BASE, 'same'),
  structured('structured mode with charset=utf-8', BASE, 'same', `${STRUCTURED}; charset=utf-8`),
  structured('structured mode with charset=UTF-8 in upper case', BASE, 'same', `${STRUCTURED}; charset=UTF-8`),
  structured('structured mode with a quoted charset', BASE, 'same', `${STRUCTURED};charset="utf-8"`),
  structured('structured mode with the media type in upper case', BASE, 'same', 'Application/CloudEvents+JSON'),
  structured('structured mode with an unknown extra parameter', BASE, 'same', `${STRUCTURED}; profile=x`),
  structured('structured mode with another charset is 415', BASE, { reject: { status: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE', message: /charset/ } }, `${STRUCTURED}; charset=iso-8859-1`),
  structured('structured mode with the Avro format is 415', BASE, { reject: { status: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE', message: /cloudevents\+avro/ } }, 'application/cloudevents+avro'),
  structured('the bare application/cloudevents media type is 415', BASE, { reject: { status: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE' } }, 'application/cloudevents'),
  structured('a batch media type with another format is 415', [BASE], { reject: { status: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE' } }, 'application/cloudevents-batch+xml'),
  structured('a malformed structured Content-Type is 400', BASE, { reject: { status: 400, code: 'ERR_BAD_REQUEST' } }, `${STRUCTURED}; charset`),
  {
    name: 'batch mode is chosen before structured mode, whose prefix it shares',
    headers: { 'content-type': `${BATCH}; charset=utf-8` },
    body: JSON.stringify([BASE]),
    accept: { mode: 'batch', events: [BASE] },
  },
  {
    name: 'header names are case-insensitive',
    headers: { 'Content-Type': 'text/plain', 'CE-SpecVersion': '1.0', 'Ce-Id': 'x', 'CE-SOURCE': '/s', 'ce-Type': 't' },
    body: 'hi',
    accept: { mode: 'binary', events: [{ specversion: '1.0', id: 'x', source: '/s', type: 't', datacontenttype: 'text/plain', data: 'hi' }] },
  },
  binary('a JSON Content-Type with ce- headers is binary mode', { 'content-type': 'application/json' }, '{"a":1}', oneBinary({ datacontenttype: 'application/json', data: { a: 1 } })),
  {
    name: 'a JSON body without ce- headers is rejected with a hint about structured mode',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(BASE),
    reject: { status: 400, code: 'ERR_INGEST_INVALID_EVENT', path: '', message: /application\/cloudevents\+json/ },
  },
  {
    name: 'a request without Content-Type and without ce- headers is rejected',
    headers: {},
    body: '',
    reject: { status: 400, code: 'ERR_INGEST_INVALID_EVENT', message: /ce-specversion/ },
  },
  {
    name: 'Content-Type sent twice is rejected',
    headers: { 'content-type': [STRUCTURED, STRUCTURED] },
    body: JSON.stringify(BASE),
    reject: { status: 400, code: 'ERR_BAD_REQUEST', message: /more than once/ },
  },
  {
    name: 'structured mode ignores ce- headers that are also present (binding §3.2.3)',
    headers: { 'content-type': STRUCTURED, 'ce-id': 'other', 'ce-extra': 'x' },
    body: JSON.stringify(BASE),
    accept: { mode: 'structured', events: [BASE] },
  },
];

const structuredCases: RequestCase[] = [
  structured('the spec example with an XML string as data', event({ time: '2018-04-05T17:31:00Z', comexampleextension1: 'value', comexampleothervalue: 5, datacontenttype: 'text/xml', data: '<much wow="xml"/>' }), 'same'),
  structured('the JSON format example with binary data_base64', event({ datacontenttype: 'application/vnd.apache.thrift.binary', data_base64: 'AAECAwQ=' }), 'same'),
  structured('an event with every optional attribute', event({ datacontenttype: 'application/json', dataschema: 'https://example.com/schema.json', subject: 'mynewfile.jpg', time: '2018-04-05T17:31:00Z', data: {} }), 'same'),
  structured('null attributes are treated as absent and not stored', { ...BASE, subject: null, time: null, unsetextension: null }, { accept: { mode: 'structured', events: [BASE] } }),
  structured('a null data_base64 counts as absent', { ...BASE, data_base64: null, data: 1 }, oneStructured({ data: 1 })),
  structured('a UTF-8 byte order mark before the JSON is ignored', `\uFEFF${JSON.stringify(BASE)}`, oneStructured({})),
  structured('escaped member names are decoded like any JSON string', '{"specversion":"1.0","\\u0069d":"x","source":"/s","type":"t"}', { accept: { mode: 'structured', events: [{ specversion: '1.0', id: 'x', source: '/s', type: 't' }] } }),
  structured('an attribute named twice is rejected', '{"specversion":"1.0","id":"a","id":"b","source":"/s","type":"t"}', invalid('id', /more than once/)),
  structured('an attribute named twice through an escape is rejected', '{"specversion":"1.0","id":"a","\\u0069d":"b","source":"/s","type":"t"}', invalid('id', /more than once/)),
  structured('a duplicate member name inside data is not an attribute and is allowed', `{"specversion":"1.0","id":"a","source":"/s","type":"t","data":{"k":1,"k":2}}`, oneStructured({ id: 'a', source: '/s', type: 't', data: { k: 2 } })),
  structured('malformed JSON is 400 ERR_BODY_INVALID_JSON', '{"specversion":"1.0",', { reject: { status: 400, code: 'ERR_BODY_INVALID_JSON' } }),
  structured('an empty structured body is invalid JSON', '', { reject: { status: 400, code: 'ERR_BODY_INVALID_JSON' } }),
  structured('a body that is not UTF-8 is invalid JSON', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), { reject: { status: 400, code: 'ERR_BODY_INVALID_JSON', message: /UTF-8/ } }),
  structured('a JSON array in structured mode points to batch mode', [BASE], invalid('', /application\/cloudevents-batch\+json/)),
  structured('a JSON string in structured mode is not an event', '"hello"', invalid('', /JSON object/)),
  structured('JSON null in structured mode is not an event', 'null', invalid('', /JSON object/)),
  structured('an extension named like an Object.prototype member is an ordinary attribute', event({ constructor: 'x', tostring: 1 }), 'same'),
];

const requiredCases: RequestCase[] = [
  structured('an event without id is rejected, never given one', { specversion: '1.0', source: '/s', type: 't' }, invalid('id', /required/)),
  structured('an event with a null id is rejected', { ...BASE, id: null }, invalid('id', /required/)),
  structured('an event with an empty id is rejected', { ...BASE, id: '' }, invalid('id', /non-empty/)),
  structured('an event without source is rejected', { specversion: '1.0', id: 'a', type: 't' }, invalid('source', /required/)),
  structured('an event without type is rejected', { specversion: '1.0', id: 'a', source: '/s' }, invalid('type', /required/)),
  structured('an event with an empty type is rejected', { ...BASE, type: '' }, invalid('type', /non-empty/)),
  structured('an event without specversion is rejected', { id: 'a', source: '/s', type: 't' }, invalid('specversion', /required/)),
  structured('specversion 0.3 is rejected', { ...BASE, specversion: '0.3' }, invalid('specversion', /"1.0"/)),
  structured('specversion 1.0.2 is rejected: only major.minor is used', { ...BASE, specversion: '1.0.2' }, invalid('specversion', /"1.0"/)),
  structured('specversion as the number 1.0 is rejected', { ...BASE, specversion: 1.0 }, invalid('specversion', /string/)),
  structured('an id as a number is rejected: core String attributes are strings', { ...BASE, id: 42 }, invalid('id', /must be a string/)),
  structured('an empty subject is rejected', { ...BASE, subject: '' }, invalid('subject', /non-empty/)),
];

const typeCases: RequestCase[] = [
  structured('extension attributes of each JSON type: string, boolean, integer', event({ extstring: 'x', extbool: false, extint: 0, extneg: -7 }), 'same'),
  structured('the smallest 32-bit Integer is accepted', event({ ext: -2147483648 }), 'same'),
  structured('the largest 32-bit Integer is accepted', event({ ext: 2147483647 }), 'same'),
  structured('an Integer above 32 bits is rejected', event({ ext: 2147483648 }), invalid('ext', /32-bit/)),
  structured('an Integer below 32 bits is rejected', event({ ext: -2147483649 }), invalid('ext', /32-bit/)),
  structured('a float attribute is rejected', event({ ext: 1.5 }), invalid('ext', /Integer/)),
  structured('an object attribute is rejected', event({ ext: { a: 1 } }), invalid('ext', /objects or arrays/)),
  structured('an array attribute is rejected', event({ ext: [1] }), invalid('ext', /objects or arrays/)),
  structured('an upper-case extension name is rejected', event({ myExt: 'x' }), invalid('myExt', /lower-case/)),
  structured('an extension name with an underscore is rejected', event({ my_ext: 'x' }), invalid('my_ext', /lower-case/)),
  structured('an extension name with a dash is rejected', event({ 'my-ext': 'x' }), invalid('my-ext', /lower-case/)),
  structured('an extension name longer than the advised 20 characters is accepted', event({ averyveryverylongextensionname: 'x' }), 'same'),
  structured('a string attribute with a newline is rejected', event({ subject: 'a\nb' }), invalid('subject', /U\+000A/)),
  structured('a string attribute with a C1 control character is rejected', event({ ext: 'a\u0085b' }), invalid('ext', /U\+0085/)),
  structured('a string attribute with a noncharacter is rejected', event({ ext: 'a\uFFFEb' }), invalid('ext', /U\+FFFE/)),
  structured('a string attribute with an unpaired surrogate is rejected', '{"specversion":"1.0","id":"a","source":"/s","type":"t","ext":"\\uDEAD"}', invalid('ext', /U\+DEAD/)),
  structured('a string attribute with a proper surrogate pair is accepted', event({ ext: '\uD83D\uDE00 ok' }), 'same'),
  structured('a string attribute with non-ASCII text is accepted', event({ subject: 'Grüße, 東京' }), 'same'),
  structured('every problem of an event is reported', { specversion: '2.0', id: '', source: '', type: 't', ext: {} }, {
    reject: { status: 400, code: 'ERR_INGEST_INVALID_EVENT', path: 'specversion', message: /and 3 more/ },
  }),
];

const validTimes = [
  '2018-04-05T17:31:00Z',
  '2018-04-05T17:31:00.123Z',
  '2018-04-05T17:31:00.123456789Z',
  '2018-04-05T17:31:00+02:00',
  '2018-04-05T17:31:00-05:30',
  '2018-04-05T17:31:00-00:00',
  '2018-04-05t17:31:00z',
  '2020-02-29T00:00:00Z',
  '2000-02-29T00:00:00Z',
  '2016-12-31T23:59:60Z',
  '2016-12-31T15:59:60-08:00',
  '0001-01-01T00:00:00Z',
];
const invalidTimes = [
  '2018-04-05T17:31:00',
  '2018-04-05 17:31:00Z',
  '2018-04-05',
  '2018-4-5T17:31:00Z',
  '2018-04-05T17:31Z',
  '2018-13-05T17:31:00Z',
  '2018-00-05T17:31:00Z',
  '2018-04-31T17:31:00Z',
  '2019-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z',
  '2018-04-05T24:00:00Z',
  '2018-04-05T17:60:00Z',
  '2018-04-05T17:31:61Z',
  '2018-04-05T12:00:60Z',
  '2018-04-05T17:31:00.Z',
  '2018-04-05T17:31:00+0200',
  '2018-04-05T17:31:00+24:00',
  '2018-04-05T17:31:00 Z',
  '+2018-04-05T17:31:00Z',
  'Thu, 05 Apr 2018 17:31:00 GMT',
  '1522949460',
];
const timeCases: RequestCase[] = [
  ...validTimes.map((time) => structured(`time ${time} is accepted and stored as sent`, event({ time }), 'same')),
  ...invalidTimes.map((time) => structured(`time ${JSON.stringify(time)} is rejected`, event({ time }), invalid('time', /RFC 3339/))),
  structured('time as a number is rejected', event({ time: 1522949460 }), invalid('time', /must be a string/)),
  binary('a binary-mode time is validated the same way', { 'ce-time': '2018-04-05T17:31:00' }, '', invalid('time', /RFC 3339/)),
  binary('a binary-mode time keeps its original text', { 'ce-time': '2018-04-05T19:31:00.5+02:00' }, '', oneBinary({ time: '2018-04-05T19:31:00.5+02:00' })),
];

const uriCases: RequestCase[] = [
  ...['https://github.com/cloudevents', 'mailto:cncf-wg-serverless@lists.cncf.io', 'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66', '/cloudevents/spec/pull/123', '1-555-123-4567', 'http://[2001:db8::1]:8080/a?b#c', 'a/b%20c'].map((source) =>
    structured(`source ${source} is a valid URI-reference`, event({ source }), 'same'),
  ),
  ...['has space', 'http://exa mple.com', 'a%zz', ':no-scheme', 'http://[not-ipv6]/', 'a#b#c'].map((source) =>
    structured(`source ${JSON.stringify(source)} is rejected`, event({ source }), invalid('source', /URI-reference/)),
  ),
  structured('an empty source is rejected', event({ source: '' }), invalid('source', /non-empty/)),
  structured('an absolute dataschema is accepted', event({ dataschema: 'https://example.com/schemas/v2.json' }), 'same'),
  structured('a relative dataschema is rejected', event({ dataschema: '/schemas/v2.json' }), invalid('dataschema', /absolute URI/)),
  structured('a dataschema with a fragment is not an absolute URI', event({ dataschema: 'https://example.com/s.json#/defs/a' }), invalid('dataschema', /absolute URI/)),
  structured('an empty dataschema is rejected', event({ dataschema: '' }), invalid('dataschema', /absolute URI/)),
];

const contentTypeCases: RequestCase[] = [
  structured('a datacontenttype with parameters is accepted', event({ datacontenttype: 'application/json; charset=utf-8', data: {} }), 'same'),
  structured('a datacontenttype without a subtype is rejected', event({ datacontenttype: 'json' }), invalid('datacontenttype', /media type/)),
  structured('a datacontenttype with a broken parameter is rejected', event({ datacontenttype: 'text/plain; charset' }), invalid('datacontenttype', /media type/)),
  structured('a datacontenttype may appear without data', event({ datacontenttype: 'application/xml' }), 'same'),
  binary('a malformed binary-mode Content-Type is an invalid datacontenttype', { 'content-type': 'not a media type' }, 'x', invalid('datacontenttype', /media type/)),
];

const dataCases: RequestCase[] = [
  structured('data as a JSON object', event({ data: { appinfoA: 'abc', appinfoB: 123, appinfoC: true } }), 'same'),
  structured('data as a JSON string stays a string and is not parsed again', event({ data: '{"a":1}' }), 'same'),
  structured('data null is data, distinct from no data', event({ data: null }), 'same'),
  structured('data false is data', event({ data: false }), 'same'),
  structured('data 0 is data', event({ data: 0 }), 'same'),
  structured('data "" is data', event({ data: '' }), 'same'),
  structured('data as an array', event({ data: [1, 'two', null] }), 'same'),
  structured('data as a float', event({ data: 3.14 }), 'same'),
  structured('an event without data', BASE, 'same'),
  structured('data with a non-JSON datacontenttype is a string as sent', event({ datacontenttype: 'text/csv', data: 'a,b\n1,2' }), 'same'),
  structured('data and data_base64 together are rejected', event({ data: 'x', data_base64: 'eA==' }), invalid('data_base64', /both/)),
  structured('data_base64 that is not base64 is rejected', event({ data_base64: 'not base64!' }), invalid('data_base64', /base64/)),
  structured('data_base64 without padding is rejected', event({ data_base64: 'eA' }), invalid('data_base64', /base64/)),
  structured('data_base64 as a number is rejected', event({ data_base64: 12 }), invalid('data_base64', /string/)),
  structured('empty data_base64 is zero bytes of data', event({ data_base64: '' }), 'same'),
];

const binaryCases: RequestCase[] = [
  binary('the binding spec example: JSON data with charset', { 'ce-time': '2018-04-05T03:56:24Z', 'content-type': 'application/json; charset=utf-8' }, '{\n  "appinfoA": "abc"\n}', oneBinary({ time: '2018-04-05T03:56:24Z', datacontenttype: 'application/json; charset=utf-8', data: { appinfoA: 'abc' } })),
  binary('a JSON string body stays a string', { 'content-type': 'application/json' }, '"I\'m just a string"', oneBinary({ datacontenttype: 'application/json', data: "I'm just a string" })),
  binary('a JSON null body is null data', { 'content-type': 'application/json' }, 'null', oneBinary({ datacontenttype: 'application/json', data: null })),
  binary('a JSON 0 body is 0', { 'content-type': 'application/json' }, '0', oneBinary({ datacontenttype: 'application/json', data: 0 })),
  binary('a JSON false body is false', { 'content-type': 'application/json' }, 'false', oneBinary({ datacontenttype: 'application/json', data: false })),
  binary('a +json media type is JSON data', { 'content-type': 'application/vnd.api+json' }, '{"k":[1]}', oneBinary({ datacontenttype: 'application/vnd.api+json', data: { k: [1] } })),
  binary('an unquoted string with a JSON Content-Type is rejected', { 'content-type': 'application/json' }, "I'm just a string", invalid('data', /not valid JSON/)),
  binary('an empty body with a JSON Content-Type is an event without data', { 'content-type': 'application/json' }, '', oneBinary({ datacontenttype: 'application/json' })),
  binary('a text/plain body is string data', { 'content-type': 'text/plain' }, 'hello world', oneBinary({ datacontenttype: 'text/plain', data: 'hello world' })),
  binary('an XML body is string data', { 'content-type': 'application/xml' }, '<much wow="xml"/>', oneBinary({ datacontenttype: 'application/xml', data: '<much wow="xml"/>' })),
  binary('a UTF-8 text body keeps its non-ASCII characters', { 'content-type': 'text/plain; charset=utf-8' }, 'Grüße', oneBinary({ datacontenttype: 'text/plain; charset=utf-8', data: 'Grüße' })),
  binary('a text body that is not valid UTF-8 is kept byte-exact as data_base64', { 'content-type': 'text/plain' }, Buffer.from([0x68, 0xe9]), oneBinary({ datacontenttype: 'text/plain', data_base64: 'aOk=' })),
  binary('a Latin-1 text body is kept byte-exact as data_base64', { 'content-type': 'text/plain; charset=iso-8859-1' }, Buffer.from([0x68, 0xe9]), oneBinary({ datacontenttype: 'text/plain; charset=iso-8859-1', data_base64: 'aOk=' })),
  binary('an octet-stream body is data_base64', { 'content-type': 'application/octet-stream' }, Buffer.from([0, 1, 2, 255]), oneBinary({ datacontenttype: 'application/octet-stream', data_base64: 'AAEC/w==' })),
  binary('a body without Content-Type is data_base64 without datacontenttype', {}, Buffer.from('abc'), oneBinary({ data_base64: 'YWJj' })),
  binary('no body and no Content-Type is an event without data', {}, '', oneBinary({})),
  binary('extensions arrive as strings in binary mode', { 'ce-comexampleothervalue': '5', 'ce-flag': 'true' }, '', oneBinary({ comexampleothervalue: '5', flag: 'true' })),
  binary('the spec percent-encoding example decodes to Euro € 😀', { 'ce-subject': 'Euro%20%E2%82%AC%20%F0%9F%98%80' }, '', oneBinary({ subject: 'Euro € 😀' })),
  binary('lower-case percent-encoding is accepted', { 'ce-subject': 'Euro%20%e2%82%ac' }, '', oneBinary({ subject: 'Euro €' })),
  binary('unnecessarily percent-encoded characters are accepted', { 'ce-subject': '%61%62%63' }, '', oneBinary({ subject: 'abc' })),
  binary('percent-decoding happens exactly once', { 'ce-subject': '100%2525' }, '', oneBinary({ subject: '100%25' })),
  binary('a double-quoted value is unquoted before percent-decoding', { 'ce-subject': '"a \\"b\\" %41"' }, '', oneBinary({ subject: 'a "b" A' })),
  binary('an unencoded space from older senders is accepted', { 'ce-subject': 'hello world' }, '', oneBinary({ subject: 'hello world' })),
  binary('an overlong UTF-8 encoding is rejected', { 'ce-subject': '%C0%A0' }, '', invalid('subject', /not valid UTF-8/)),
  binary('an encoded surrogate is rejected', { 'ce-subject': '%ED%A0%80' }, '', invalid('subject', /not valid UTF-8/)),
  binary('a truncated UTF-8 sequence is rejected', { 'ce-subject': '%E2%82' }, '', invalid('subject', /not valid UTF-8/)),
  binary('a truncated percent escape is rejected', { 'ce-subject': 'abc%2' }, '', invalid('subject', /percent-encoding/)),
  binary('a percent escape with a non-hex digit is rejected', { 'ce-subject': 'abc%G0' }, '', invalid('subject', /percent-encoding/)),
  binary('an encoded newline is a disallowed character', { 'ce-subject': 'a%0Ab' }, '', invalid('subject', /U\+000A/)),
  binary('raw Latin-1 bytes in a header are rejected', { 'ce-subject': 'caf\u00e9' }, '', invalid('subject', /percent-encode/)),
  binary('an unterminated quoted value is rejected', { 'ce-subject': '"abc' }, '', invalid('subject', /quoted/)),
  binary('ce-datacontenttype is forbidden in binary mode', { 'ce-datacontenttype': 'text/plain' }, '', invalid('datacontenttype', /Content-Type/)),
  binary('ce-data names a reserved attribute', { 'ce-data': 'x' }, '', invalid('data', /reserved/)),
  binary('a ce- header that is not a valid attribute name is rejected', { 'ce-my_ext': 'x' }, '', invalid('my_ext', /lower-case/)),
  binary('a ce- header sent twice is rejected', { 'ce-ext': ['a', 'b'] }, '', invalid('ext', /more than once/)),
  binary('binary-mode specversion must be 1.0', { 'ce-specversion': '0.3' }, '', invalid('specversion', /"1.0"/)),
  binary('binary-mode source must be a URI-reference', { 'ce-source': '%20' }, '', invalid('source', /URI-reference/)),
  binary('binary-mode dataschema must be absolute', { 'ce-dataschema': 'schema.json' }, '', invalid('dataschema', /absolute/)),
  { name: 'a missing ce-id is rejected, never invented', headers: { ...CE, 'ce-id': [] }, body: '', ...invalid('id', /required/) },
  {
    name: 'a missing ce-time is left absent, never invented',
    headers: Object.fromEntries(Object.entries(CE).filter(([name]) => name !== 'ce-time')),
    body: '',
    accept: { mode: 'binary', events: [BASE] },
  },
  binary('non-ce headers are not attributes', { 'x-request-id': 'r1', 'user-agent': 'curl' }, '', oneBinary({})),
];

const batchCases: RequestCase[] = [
  { name: 'an empty batch is valid', headers: { 'content-type': BATCH }, body: '[]', accept: { mode: 'batch', events: [] } },
  {
    name: 'the JSON batch format example with binary and JSON data',
    headers: { 'content-type': BATCH },
    body: JSON.stringify([event({ id: 'B', datacontenttype: 'application/vnd.apache.thrift.binary', data_base64: 'AAE=' }), event({ id: 'C', data: { a: 1 } })]),
    accept: { mode: 'batch', events: [event({ id: 'B', datacontenttype: 'application/vnd.apache.thrift.binary', data_base64: 'AAE=' }), event({ id: 'C', data: { a: 1 } })] },
  },
  {
    name: 'batch members keep falsy data',
    headers: { 'content-type': BATCH },
    body: JSON.stringify([event({ data: null }), event({ data: '' }), event({ data: 0 })]),
    accept: { mode: 'batch', events: [event({ data: null }), event({ data: '' }), event({ data: 0 })] },
  },
  { name: 'one invalid member rejects the whole batch with its index', headers: { 'content-type': BATCH }, body: JSON.stringify([BASE, BASE, { ...BASE, time: 'yesterday' }]), ...invalid('[2].time', /RFC 3339/, 2) },
  { name: 'a member that is not an object is rejected with its index', headers: { 'content-type': BATCH }, body: JSON.stringify([BASE, 'event']), ...invalid('[1]', /JSON object/, 1) },
  { name: 'a member without id is rejected with its index', headers: { 'content-type': BATCH }, body: JSON.stringify([{ specversion: '1.0', source: '/s', type: 't' }]), ...invalid('[0].id', /required/, 0) },
  { name: 'a member with specversion 0.3 is rejected', headers: { 'content-type': BATCH }, body: JSON.stringify([BASE, { ...BASE, specversion: '0.3' }]), ...invalid('[1].specversion', /"1.0"/, 1) },
  { name: 'a duplicate attribute inside a member is rejected with its index', headers: { 'content-type': BATCH }, body: `[${JSON.stringify(BASE)}, {"specversion":"1.0","id":"a","source":"/s","type":"t","type":"u"}]`, ...invalid('[1].type', /more than once/, 1) },
  { name: 'a batch body that is an object is rejected', headers: { 'content-type': BATCH }, body: JSON.stringify(BASE), ...invalid('', /JSON array/) },
  { name: 'a malformed batch is invalid JSON', headers: { 'content-type': BATCH }, body: '[{"specversion":"1.0"},', reject: { status: 400, code: 'ERR_BODY_INVALID_JSON' } },
  { name: 'a batch with another charset is 415', headers: { 'content-type': `${BATCH}; charset=utf-16` }, body: '[]', reject: { status: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE' } },
];

const ALL: RequestCase[] = [
  ...modeCases,
  ...structuredCases,
  ...requiredCases,
  ...typeCases,
  ...timeCases,
  ...uriCases,
  ...contentTypeCases,
  ...dataCases,
  ...binaryCases,
  ...batchCases,
];

function run(c: Pick<RequestCase, 'headers' | 'body'>, limits?: Parameters<typeof parseCloudEventsRequest>[1]): ReturnType<typeof parseCloudEventsRequest> {
  return parseCloudEventsRequest({ headers: c.headers, body: Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body, 'utf8') }, limits);
}

function catchError(fn: () => unknown): FlowbridgeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FlowbridgeError) return err;
    throw err;
  }
  throw new Error('expected a FlowbridgeError, but the request was accepted');
}

describe('parseCloudEventsRequest request table', () => {
  it('has at least 100 request cases', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(100);
  });

  it.each(ALL.filter((c) => c.accept).map((c) => [c.name, c] as const))('accepts: %s', (_name, c) => {
    const result = run(c);
    expect(result.mode).toBe(c.accept?.mode);
    expect(result.events).toStrictEqual(c.accept?.events);
  });

  it.each(ALL.filter((c) => c.reject).map((c) => [c.name, c] as const))('rejects: %s', (_name, c) => {
    const err = catchError(() => run(c));
    const want = c.reject;
    expect(err.status).toBe(want?.status);
    expect(err.code).toBe(want?.code);
    if (want?.message) expect(err.message).toMatch(want.message);
    const first = err.details[0] as EventProblem | undefined;
    if (want?.path !== undefined) expect(first?.path).toBe(want.path);
    if (want?.index !== undefined) expect(first?.index).toBe(want.index);
  });
});

describe('parseCloudEventsRequest size limits', () => {
  const big = (bytes: number): Record<string, unknown> => event({ data: 'x'.repeat(bytes) });

  it('answers 413 ERR_BODY_TOO_LARGE when the request exceeds the request limit', () => {
    const body = JSON.stringify(big(2000));
    const err = catchError(() => run({ headers: { 'content-type': STRUCTURED }, body }, { maxRequestBytes: 1000 }));
    expect([err.status, err.code]).toEqual([413, 'ERR_BODY_TOO_LARGE']);
  });

  it('accepts a structured event of exactly the event limit', () => {
    const body = JSON.stringify(big(1000));
    expect(run({ headers: { 'content-type': STRUCTURED }, body }, { maxEventBytes: Buffer.byteLength(body) }).events).toHaveLength(1);
  });

  it('answers 413 ERR_INGEST_EVENT_TOO_LARGE for a structured event one byte over the limit', () => {
    const body = JSON.stringify(big(1000));
    const err = catchError(() => run({ headers: { 'content-type': STRUCTURED }, body }, { maxEventBytes: Buffer.byteLength(body) - 1 }));
    expect([err.status, err.code]).toEqual([413, 'ERR_INGEST_EVENT_TOO_LARGE']);
  });

  it('names the batch member that exceeds the event limit, even when the batch as a whole fits', () => {
    const body = JSON.stringify([big(10), big(10), big(5000)]);
    const err = catchError(() => run({ headers: { 'content-type': BATCH }, body }, { maxEventBytes: 4000 }));
    expect([err.status, err.code]).toEqual([413, 'ERR_INGEST_EVENT_TOO_LARGE']);
    expect(err.details).toEqual([{ index: 2, path: '[2]' }]);
  });

  it('measures a batch member by its own bytes as sent', () => {
    const member = JSON.stringify(big(100));
    const body = `[ ${member} ,\n ${member} ]`;
    expect(run({ headers: { 'content-type': BATCH }, body }, { maxEventBytes: Buffer.byteLength(member) }).events).toHaveLength(2);
    expect(() => run({ headers: { 'content-type': BATCH }, body }, { maxEventBytes: Buffer.byteLength(member) - 1 })).toThrow(/Event \[0\] has/);
  });

  it('counts ce- headers towards the size of a binary-mode event', () => {
    const headers = { ...CE, 'ce-big': 'y'.repeat(3000) };
    expect(run({ headers, body: 'x' })).toMatchObject({ mode: 'binary' });
    const err = catchError(() => run({ headers, body: 'x' }, { maxEventBytes: 3000 }));
    expect([err.status, err.code]).toEqual([413, 'ERR_INGEST_EVENT_TOO_LARGE']);
  });

  it('uses the documented defaults of 256 KiB per event and 1 MiB per request', async () => {
    const { DEFAULT_BINDING_LIMITS } = await import('./cloudevents-binding.ts');
    expect(DEFAULT_BINDING_LIMITS).toEqual({ maxEventBytes: 262144, maxRequestBytes: 1048576, maxDepth: 64 });
  });
});

describe('parseCloudEventsRequest storage form', () => {
  it('keeps the attributes in the order they were sent', () => {
    const body = '{"type":"t","id":"a","zext":1,"source":"/s","specversion":"1.0","aext":2}';
    const [stored] = run({ headers: { 'content-type': STRUCTURED }, body }).events;
    expect(Object.keys(stored ?? {})).toEqual(['type', 'id', 'zext', 'source', 'specversion', 'aext']);
  });

  it('reports problems of every batch member, each with its index', () => {
    const body = JSON.stringify([{ ...BASE, id: '' }, BASE, { ...BASE, time: 'x' }]);
    const err = catchError(() => run({ headers: { 'content-type': BATCH }, body }));
    expect((err.details as EventProblem[]).map((p) => [p.index, p.path])).toEqual([
      [0, '[0].id'],
      [2, '[2].time'],
    ]);
  });
});

describe('selectContentMode', () => {
  it.each([
    ['application/cloudevents-batch+json', 'batch'],
    ['APPLICATION/CLOUDEVENTS-BATCH+JSON; charset=utf-8', 'batch'],
    ['application/cloudevents+json', 'structured'],
    ['application/cloudevents+protobuf', 'structured'],
    ['application/json', 'binary'],
    ['text/plain', 'binary'],
    [undefined, 'binary'],
  ] as const)('chooses the mode for %s', (contentType, mode) => {
    expect(selectContentMode(contentType)).toBe(mode);
  });
});
