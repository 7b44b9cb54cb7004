// A small .npy reader and writer (float32 and int64, C order), so TypeScript can hand tensors to numpy.

import { closeSync, openSync, readSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { expected, ModelError } from '../errors.js';

/** The dtypes handled: numpy '<f4' and '<i8'. */
export type NpyDtype = 'float32' | 'int64';

/** A whole array: `data` holds the values in C order. */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Float32Array | BigInt64Array;
}

const DESCR: Record<NpyDtype, string> = { float32: '<f4', int64: '<i8' };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
// Version 1.0 header, padded to this many bytes (magic included) whatever the shape: the streaming
// writer can then rewrite the first dimension in place once it knows it.
const HEADER_BYTES = 128;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // Typed arrays use the host's byte order and we write them as they are.
  throw new Error('npy.ts needs a little-endian host');
}

function header(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${dims}, }`;
  const room = HEADER_BYTES - 10 - 1; // magic(6) + version(2) + length(2), and the closing newline
  if (dict.length > room)
    throw new ModelError('npy', expected(`a shape that fits a ${HEADER_BYTES}-byte header`, 'shape', shape));
  const bytes = new Uint8Array(HEADER_BYTES);
  bytes.set(MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  new DataView(bytes.buffer).setUint16(8, HEADER_BYTES - 10, true);
  bytes.set(Buffer.from(dict.padEnd(room, ' ') + '\n', 'latin1'), 10);
  return bytes;
}

function checkShape(shape: readonly number[], length: number): void {
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new ModelError('npy', expected('a shape of non-negative integers', 'shape', shape));
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== length)
    throw new ModelError('npy', expected(`${n} values for shape (${shape.join(', ')})`, 'data.length', length));
}

function bytesOf(data: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Writes a whole array as .npy (v1.0, C order, little-endian). */
export async function writeNpy(path: string, array: NpyArray): Promise<void> {
  checkShape(array.shape, array.data.length);
  const fh = await open(path, 'w');
  try {
    await fh.write(header(array.dtype, array.shape));
    await fh.write(bytesOf(array.data));
  } finally {
    await fh.close();
  }
}

/**
 * Writes an .npy file row by row when the number of rows is not known up front: `append` adds whole
 * rows of shape `rowShape`, `close` fixes the first dimension in the header.
 * @example
 * const w = await NpyWriter.create('X.npy', 'float32', [64, 154]);
 * await w.append(x); await w.close();
 */
export class NpyWriter {
  private rows = 0;
  private readonly rowSize: number;
  private constructor(
    private readonly fh: FileHandle,
    readonly dtype: NpyDtype,
    readonly rowShape: readonly number[],
  ) {
    this.rowSize = rowShape.reduce((a, b) => a * b, 1);
  }

  /** Opens `path` for writing (truncating it) with rows of `rowShape` (empty for a 1-D array). */
  static async create(path: string, dtype: NpyDtype, rowShape: readonly number[] = []): Promise<NpyWriter> {
    const fh = await open(path, 'w');
    const w = new NpyWriter(fh, dtype, rowShape);
    await fh.write(header(dtype, [0, ...rowShape]));
    return w;
  }

  /** Appends one or more whole rows. */
  async append(data: Float32Array | BigInt64Array): Promise<void> {
    const wanted = this.dtype === 'float32' ? data instanceof Float32Array : data instanceof BigInt64Array;
    if (!wanted || data.length % Math.max(1, this.rowSize) !== 0) {
      throw new ModelError(
        'npy',
        expected(
          `whole ${this.dtype} rows of ${this.rowSize} values`,
          'data',
          `${data.constructor.name}(${data.length})`,
        ),
      );
    }
    await this.fh.write(bytesOf(data));
    this.rows += this.rowSize === 0 ? 0 : data.length / this.rowSize;
  }

  /** Rows written so far. */
  get length(): number {
    return this.rows;
  }

  /** Writes the final shape into the header and closes the file. */
  async close(): Promise<void> {
    try {
      await this.fh.write(header(this.dtype, [this.rows, ...this.rowShape]), 0, HEADER_BYTES, 0);
    } finally {
      await this.fh.close();
    }
  }
}

/** The header of an .npy file: dtype, shape and where the data start. */
function parseHeader(
  buf: Uint8Array & { readUInt16LE(o: number): number; readUInt32LE(o: number): number },
  path: string,
): { dtype: NpyDtype; shape: number[]; dataStart: number } {
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b))
    throw new ModelError('npy', expected('an .npy file (\\x93NUMPY magic)', 'file', path));
  const major = buf[6];
  const lenBytes = major === 1 ? 2 : 4;
  const len = lenBytes === 2 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = 8 + lenBytes;
  const text = Buffer.from(buf.subarray(start, start + len)).toString('latin1');
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  const dtype = (Object.keys(DESCR) as NpyDtype[]).find((d) => DESCR[d] === descr);
  if (!dtype) throw new ModelError('npy', expected("dtype '<f4' or '<i8'", `dtype of ${path}`, descr));
  if (fortran !== 'False') throw new ModelError('npy', expected('C order', `fortran_order of ${path}`, fortran));
  if (shapeText === undefined) throw new ModelError('npy', expected('a shape in the header', path, text));
  const shape = shapeText
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0)
    .map(Number);
  return { dtype, shape, dataStart: start + len };
}

/**
 * Rows of a float32 .npy file read on demand (one read per row, nothing else held): for exported training tensors
 * larger than memory should hold. `row(i)` is row i ([shape[1] x ...] values); `close()` releases the file.
 */
export function openNpyRows(path: string): {
  shape: number[];
  rows: number;
  row(i: number): Float32Array;
  close(): void;
} {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(65536);
    const got = readSync(fd, head, 0, head.length, 0);
    const { dtype, shape, dataStart } = parseHeader(head.subarray(0, got), path);
    if (dtype !== 'float32') throw new ModelError('npy', expected("dtype '<f4'", `dtype of ${path}`, dtype));
    const per = shape.slice(1).reduce((a, b) => a * b, 1);
    return {
      shape,
      rows: shape[0] ?? 0,
      row(i) {
        if (!(i >= 0 && i < (shape[0] ?? 0)))
          throw new ModelError('npy', expected(`a row from 0 to ${(shape[0] ?? 0) - 1}`, `row of ${path}`, i));
        const out = new Float32Array(per);
        readSync(fd, new Uint8Array(out.buffer), 0, per * 4, dataStart + i * per * 4);
        return out;
      },
      close: () => closeSync(fd),
    };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Reads a whole .npy file ('<f4' or '<i8', C order; header versions 1, 2 and 3). */
export async function readNpy(path: string): Promise<NpyArray> {
  const buf = await readFile(path);
  const { dtype, shape, dataStart } = parseHeader(buf, path);
  const n = shape.reduce((a, b) => a * b, 1);
  const body = buf.subarray(dataStart);
  const width = dtype === 'float32' ? 4 : 8;
  if (body.length !== n * width)
    throw new ModelError('npy', expected(`${n * width} data bytes for shape (${shape.join(', ')})`, path, body.length));
  // Copy into a fresh, aligned buffer: the file's data start need not be 8-byte aligned.
  const copy = new Uint8Array(body.length);
  copy.set(body);
  const data = dtype === 'float32' ? new Float32Array(copy.buffer) : new BigInt64Array(copy.buffer);
  return { dtype, shape, data };
}
