// A content-header decoder for amqplib that cannot be killed by a message. amqplib decodes header
// tables recursively inside the connection's frame parser: a ~35 KB message whose headers nest
// 5,000 levels deep overflows the stack there, the connection dies, the broker requeues the
// message and the drain reconnects to it forever. This module replaces amqplib's
// Connection.prototype.recvFrame (looked up on each call, so it applies to every connection of
// the process whenever amqplib itself was loaded) with one that decodes basic.properties here:
// tables and arrays nest to MAX_HEADER_DEPTH, anything deeper is handed over undecoded as
// { 'x-eventdesk-undecodable': <base64 of its raw bytes> }, and a table that cannot be decoded at
// all (an unknown type tag, a length past its end) becomes that marker too. Every other frame is
// decoded by amqplib as before.
// Import it before connecting; assertSafeDecoder(model) checks a live connection uses it.
import type { ChannelModel } from 'amqplib';

export const MAX_HEADER_DEPTH = 64;
export const UNDECODABLE_KEY = 'x-eventdesk-undecodable';
/** amqplib versions whose recvFrame this module reproduces */
const SUPPORTED = /^2\.3\./;

type Table = Record<string, unknown>;

function setKey(fields: Table, key: string, value: unknown) {
  // a header named __proto__ must stay a header, not become the table's prototype
  if (key === '__proto__') Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
  else fields[key] = value;
}

const undecodable = (bytes: Buffer): Table => ({ [UNDECODABLE_KEY]: bytes.toString('base64') });

function checkLength(slice: Buffer, offset: number, len: number) {
  if (offset + len > slice.length) throw new RangeError(`field of ${len} bytes at ${offset} runs past the end (${slice.length})`);
}

/**
 * Decodes one AMQP field table the way amqplib does (same values for every type), iteratively
 * over its entries and recursively only to maxDepth. depth is the table's own level (0 = the
 * headers table). Throws on malformed input; decodeHeaders turns that into a marker.
 */
export function decodeTable(slice: Buffer, depth = 0, maxDepth = MAX_HEADER_DEPTH): Table {
  const fields: Table = {};
  let offset = 0;
  while (offset < slice.length) {
    const len = slice.readUInt8(offset);
    offset++;
    checkLength(slice, offset, len);
    const key = slice.toString('utf8', offset, offset + len);
    offset += len;
    const [value, next] = decodeValue(slice, offset, depth, maxDepth);
    offset = next;
    setKey(fields, key, value);
  }
  return fields;
}

function decodeArray(slice: Buffer, depth: number, maxDepth: number): unknown[] {
  const out: unknown[] = [];
  let offset = 0;
  while (offset < slice.length) {
    const [value, next] = decodeValue(slice, offset, depth, maxDepth);
    out.push(value);
    offset = next;
  }
  return out;
}

/** One tagged value at offset in a table or array of level depth: [value, offset after it]. */
function decodeValue(slice: Buffer, start: number, depth: number, maxDepth: number): [unknown, number] {
  let offset = start;
  if (offset >= slice.length) throw new RangeError('missing value');
  const tag = String.fromCharCode(slice[offset]);
  offset++;
  switch (tag) {
    case 'b':
      return [slice.readInt8(offset), offset + 1];
    case 'B':
      return [slice.readUInt8(offset), offset + 1];
    case 'S': {
      const len = slice.readUInt32BE(offset);
      offset += 4;
      checkLength(slice, offset, len);
      return [slice.toString('utf8', offset, offset + len), offset + len];
    }
    case 'I':
      return [slice.readInt32BE(offset), offset + 4];
    case 'i':
      return [slice.readUInt32BE(offset), offset + 4];
    case 'D': {
      const places = slice.readUInt8(offset);
      const digits = slice.readUInt32BE(offset + 1);
      return [{ '!': 'decimal', value: { places, digits } }, offset + 5];
    }
    case 'T':
      return [{ '!': 'timestamp', value: Number(slice.readBigUInt64BE(offset)) }, offset + 8];
    case 'F':
    case 'A': {
      const len = slice.readUInt32BE(offset);
      offset += 4;
      checkLength(slice, offset, len);
      const inner = slice.subarray(offset, offset + len);
      // deeper than allowed: not decoded at all (linear), its bytes kept for the record
      const value = depth + 1 > maxDepth ? undecodable(inner) : tag === 'F' ? decodeTable(inner, depth + 1, maxDepth) : decodeArray(inner, depth + 1, maxDepth);
      return [value, offset + len];
    }
    case 'd':
      return [slice.readDoubleBE(offset), offset + 8];
    case 'f':
      return [slice.readFloatBE(offset), offset + 4];
    case 'l':
      return [Number(slice.readBigInt64BE(offset)), offset + 8];
    case 's':
      return [slice.readInt16BE(offset), offset + 2];
    case 'u':
      return [slice.readUInt16BE(offset), offset + 2];
    case 't':
      if (offset >= slice.length) throw new RangeError('missing boolean');
      return [slice[offset] !== 0, offset + 1];
    case 'V':
      return [null, offset];
    case 'x': {
      const len = slice.readUInt32BE(offset);
      offset += 4;
      checkLength(slice, offset, len);
      return [slice.subarray(offset, offset + len), offset + len];
    }
    default:
      throw new TypeError(`unexpected type tag ${slice[start]}`);
  }
}

/** A headers table that never throws: malformed as a whole becomes the marker with all its bytes. */
export function decodeHeaders(slice: Buffer, maxDepth = MAX_HEADER_DEPTH): Table {
  try {
    return decodeTable(slice, 0, maxDepth);
  } catch {
    return undecodable(slice);
  }
}

const shortstr = (buffer: Buffer, offset: number): [string, number] => {
  const len = buffer.readUInt8(offset);
  return [buffer.toString('utf8', offset + 1, offset + 1 + len), offset + 1 + len];
};

/** basic.properties (flags + property list), as amqplib's defs.decodeBasicProperties returns them. */
export function decodeBasicProperties(buffer: Buffer): Table {
  const flags = buffer.readUInt16BE(0);
  if (flags === 0) return {};
  let offset = 2;
  const fields: Table = {
    contentType: undefined,
    contentEncoding: undefined,
    headers: undefined,
    deliveryMode: undefined,
    priority: undefined,
    correlationId: undefined,
    replyTo: undefined,
    expiration: undefined,
    messageId: undefined,
    timestamp: undefined,
    type: undefined,
    userId: undefined,
    appId: undefined,
    clusterId: undefined,
  };
  const str = (name: string) => {
    [fields[name], offset] = shortstr(buffer, offset);
  };
  if (flags & 0x8000) str('contentType');
  if (flags & 0x4000) str('contentEncoding');
  if (flags & 0x2000) {
    const len = buffer.readUInt32BE(offset);
    offset += 4;
    fields.headers = decodeHeaders(buffer.subarray(offset, offset + len));
    offset += len;
  }
  if (flags & 0x1000) fields.deliveryMode = buffer[offset++];
  if (flags & 0x0800) fields.priority = buffer[offset++];
  if (flags & 0x0400) str('correlationId');
  if (flags & 0x0200) str('replyTo');
  if (flags & 0x0100) str('expiration');
  if (flags & 0x0080) str('messageId');
  if (flags & 0x0040) {
    fields.timestamp = Number(buffer.readBigUInt64BE(offset));
    offset += 8;
  }
  if (flags & 0x0020) str('type');
  if (flags & 0x0010) str('userId');
  if (flags & 0x0008) str('appId');
  if (flags & 0x0004) str('clusterId');
  return fields;
}

// --- installing it into amqplib ------------------------------------------------------------------

interface Frame {
  type: number;
  channel: number;
  size: number;
  payload: Buffer;
  rest: Buffer;
}
interface AmqpConnectionInternals {
  rest: Buffer;
  maxFrameSize: number;
  stream: { read(): Buffer | null };
  recvSinceLastCheck: boolean;
  recvFrame(): unknown;
}
interface FrameModule {
  parseFrame: (bin: Buffer, max: number) => Frame | false;
  decodeFrame: (frame: Frame) => unknown;
}

const FRAME_HEADER = 2;
const BASIC_CLASS = 60;

let frameModule: FrameModule | null = null;

/**
 * Marks a recvFrame as this module's, whichever copy of the module installed it: a Next build may
 * bundle the module into more than one chunk, each installing its own (equivalent) function, so
 * the last one wins and identity with this copy's function proves nothing.
 */
const SAFE_DECODER = Symbol.for('eventdesk.amqp-safe-decoder');

/** amqplib's Connection.prototype.recvFrame, with basic content headers decoded by this module. */
function safeRecvFrame(this: AmqpConnectionInternals): unknown {
  const { parseFrame, decodeFrame } = frameModule!;
  for (;;) {
    const frame = parseFrame(this.rest, this.maxFrameSize);
    if (!frame) {
      const incoming = this.stream.read();
      if (incoming === null) return false;
      this.recvSinceLastCheck = true;
      this.rest = Buffer.concat([this.rest, incoming]);
      continue;
    }
    this.rest = frame.rest;
    if (frame.type === FRAME_HEADER && frame.payload.readUInt16BE(0) === BASIC_CLASS) {
      const payload = frame.payload;
      return {
        id: BASIC_CLASS,
        channel: frame.channel,
        size: Number(payload.readBigInt64BE(4)),
        fields: decodeBasicProperties(payload.subarray(12)),
      };
    }
    return decodeFrame(frame);
  }
}

function amqplibRequire() {
  const { createRequire } = process.getBuiltinModule('node:module');
  const path = process.getBuiltinModule('node:path');
  const [dirname, join] = [path.dirname.bind(path), path.join.bind(path)];
  // the copy the process resolves from its working directory (the app's node_modules; Next keeps
  // amqplib external, so its server bundle requires that same copy)
  const anchors = [join(process.cwd(), 'package.json')];
  try {
    if (import.meta.url.startsWith('file:')) anchors.unshift(import.meta.url);
  } catch {
    /* no import.meta here (a CommonJS bundle): the working directory's copy is the one */
  }
  let lastError: unknown;
  for (const anchor of anchors) {
    try {
      const req = createRequire(anchor);
      const main = req.resolve('amqplib');
      const dir = dirname(main);
      return { req, dir };
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`amqp-safe-decoder: cannot find amqplib: ${(lastError as Error)?.message}`);
}

let installed = false;

/** Patches amqplib's Connection class once per process; idempotent. */
export function installSafeDecoder(): void {
  if (installed) return;
  const { req, dir } = amqplibRequire();
  const path = process.getBuiltinModule('node:path');
  const version = (req(path.join(dir, 'package.json')) as { version: string }).version;
  if (!SUPPORTED.test(version)) {
    throw new Error(`amqp-safe-decoder reproduces amqplib 2.3's recvFrame; amqplib ${version} is installed: review lib/bus/amqp-safe-decoder.ts`);
  }
  frameModule = req(path.join(dir, 'lib', 'frame.js')) as FrameModule;
  const { Connection } = req(path.join(dir, 'lib', 'connection.js')) as { Connection: { prototype: AmqpConnectionInternals } };
  if (typeof Connection?.prototype?.recvFrame !== 'function' || typeof frameModule.parseFrame !== 'function') {
    throw new Error('amqp-safe-decoder: amqplib internals changed (Connection.prototype.recvFrame / frame.parseFrame)');
  }
  Object.defineProperty(safeRecvFrame, SAFE_DECODER, { value: true });
  Connection.prototype.recvFrame = safeRecvFrame;
  installed = true;
}

/** Throws when a live connection does not decode with this module (another amqplib copy). */
export function assertSafeDecoder(model: ChannelModel): void {
  const conn = (model as unknown as { connection: AmqpConnectionInternals }).connection;
  if ((conn?.recvFrame as { [SAFE_DECODER]?: boolean } | undefined)?.[SAFE_DECODER] !== true) {
    throw new Error('the deep-header guard is not active on this amqplib connection (another amqplib copy?): see lib/bus/amqp-safe-decoder.ts');
  }
}

installSafeDecoder();
