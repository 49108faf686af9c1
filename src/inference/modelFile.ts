import * as path from 'node:path';
import { UserError } from '../util/errors';
import { sha256 } from '../util/hash';
import { formatSize, readCheckedInput } from '../util/inputs';
import { parseModel, type ModelInfo } from './onnxModel';

/**
 * Reading a model file: opened once and checked (a regular file; a FIFO or /dev/zero is refused before a byte is
 * read) and capped in size. An ONNX file cannot be larger than 2 GiB, protobuf's own limit for one message:
 * bigger models keep their weights in external data files, which ONNX Runtime reads itself. The cap can be moved
 * with FLOWBENCH_MAX_MODEL_BYTES (tests lower it; a future format may raise it).
 */

export const DEFAULT_MAX_MODEL_BYTES = 2 * 1024 ** 3;

export function maxModelBytes(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.FLOWBENCH_MAX_MODEL_BYTES;
  if (v === undefined || v.trim() === '') return DEFAULT_MAX_MODEL_BYTES;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    throw new UserError(`FLOWBENCH_MAX_MODEL_BYTES must be a whole number of bytes above 0, got '${v}'`);
  }
  return n;
}

/** The bytes of a model file, checked and capped; every failure is a UserError naming the file. */
export async function readModelBytes(file: string): Promise<Uint8Array> {
  const cap = maxModelBytes();
  return readCheckedInput(file, {
    what: 'model',
    maxBytes: cap,
    tooBigHint:
      cap === DEFAULT_MAX_MODEL_BYTES
        ? 'an ONNX file cannot exceed 2 GiB (protobuf); export larger models with external data' +
          ' (FLOWBENCH_MAX_MODEL_BYTES moves the limit)'
        : `the limit is FLOWBENCH_MAX_MODEL_BYTES=${cap} (${formatSize(cap)})`,
  });
}

export interface ModelFile {
  path: string;
  bytes: Uint8Array;
  sha256: string;
  info: ModelInfo;
}

/** A model read, hashed and parsed (the protobuf reader bounds its own depth and sizes). */
export async function loadModelFile(file: string): Promise<ModelFile> {
  const bytes = await readModelBytes(file);
  return { path: file, bytes, sha256: sha256(bytes), info: parseModel(bytes, path.basename(file)) };
}
