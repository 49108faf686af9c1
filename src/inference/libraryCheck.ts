import * as fs from 'node:fs';
import { UserError } from '../util/errors';
import { openCheckedInput } from '../util/inputs';

/**
 * Checks that a file is a shared library this machine can load, before it replaces anything: an ELF (Linux) or PE
 * (Windows) header, the machine's architecture, a dynamic library (not an executable or object file) and the
 * symbols ONNX Runtime looks up in it. Reads only the headers and the dynamic symbol table, at their offsets, so a
 * 500 MB CUDA library costs a few small reads.
 */

export interface LibraryFacts {
  format: 'elf' | 'pe';
  bits: 32 | 64;
  /** As people name it: x86-64, aarch64, i386, arm, ... */
  machine: string;
  /** ELF: dynamic symbols defined by the library (exported); null when it has no section headers to find them. */
  exports: Set<string> | null;
}

const ELF_MACHINES: Record<number, string> = {
  3: 'i386',
  8: 'mips',
  20: 'powerpc',
  21: 'ppc64',
  40: 'arm',
  62: 'x86-64',
  183: 'aarch64',
  243: 'riscv',
};
const PE_MACHINES: Record<number, string> = { 0x14c: 'i386', 0x8664: 'x86-64', 0xaa64: 'aarch64', 0x1c4: 'arm' };

/** The machine name this process runs on, in LibraryFacts' words (undefined: not checked). */
export function hostMachine(arch: string = process.arch): string | undefined {
  return ({ x64: 'x86-64', arm64: 'aarch64', ia32: 'i386', arm: 'arm' } as Record<string, string>)[arch];
}

/** Symbol tables bigger than this are not a provider library's (they export a handful of functions). */
const MAX_TABLE_BYTES = 256 * 1024 * 1024;

class NotLibrary extends Error {}

async function readAt(h: fs.promises.FileHandle, size: number, offset: number, length: number): Promise<Buffer> {
  if (offset < 0 || length < 0 || offset + length > size) throw new NotLibrary('a header points past the end');
  if (length > MAX_TABLE_BYTES) throw new NotLibrary('a table is implausibly large');
  const b = Buffer.alloc(length);
  let at = 0;
  while (at < length) {
    const { bytesRead } = await h.read(b, at, length - at, offset + at);
    if (bytesRead === 0) throw new NotLibrary('the file ends inside a header');
    at += bytesRead;
  }
  return b;
}

function big(n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new NotLibrary('an offset is out of range');
  return Number(n);
}

async function elfFacts(h: fs.promises.FileHandle, size: number, head: Buffer): Promise<LibraryFacts> {
  const bits = head[4] === 2 ? 64 : head[4] === 1 ? 32 : 0;
  if (bits === 0) throw new NotLibrary(`an ELF header with an unknown class ${head[4]}`);
  const le = head[5] === 1;
  if (!le && head[5] !== 2) throw new NotLibrary(`an ELF header with an unknown byte order ${head[5]}`);
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number) => big(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const type = u16(head, 16);
  const machine = ELF_MACHINES[u16(head, 18)] ?? `machine ${u16(head, 18)}`;
  if (type !== 3) {
    const kind = ({ 1: 'an object file (.o)', 2: 'an executable', 4: 'a core dump' } as Record<number, string>)[type];
    throw new UserError(`__LIB__ is ${kind ?? `an ELF file of type ${type}`}, not a shared library`);
  }
  const facts: LibraryFacts = { format: 'elf', bits: bits as 32 | 64, machine, exports: null };
  if (bits !== 64) return facts;
  const shoff = u64(head, 0x28);
  const shentsize = u16(head, 0x3a);
  const shnum = u16(head, 0x3c);
  if (shoff === 0 || shnum === 0) return facts; // stripped of section headers: symbols cannot be listed
  if (shentsize < 64) throw new NotLibrary('ELF section headers of an impossible size');
  const sh = await readAt(h, size, shoff, shnum * shentsize);
  const section = (i: number) => {
    const o = i * shentsize;
    return { type: u32(sh, o + 4), offset: u64(sh, o + 24), size: u64(sh, o + 32), link: u32(sh, o + 40) };
  };
  const exports = new Set<string>();
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== 11) continue; // SHT_DYNSYM
    if (s.link >= shnum) throw new NotLibrary('a symbol table names a missing string table');
    const strs = section(s.link);
    const syms = await readAt(h, size, s.offset, s.size);
    const names = await readAt(h, size, strs.offset, strs.size);
    for (let o = 0; o + 24 <= syms.length; o += 24) {
      const nameAt = u32(syms, o);
      const bind = syms[o + 4] >> 4;
      const shndx = u16(syms, o + 6);
      // Defined (not SHN_UNDEF) and visible to other objects (GLOBAL or WEAK).
      if (shndx === 0 || (bind !== 1 && bind !== 2) || nameAt >= names.length) continue;
      const end = names.indexOf(0, nameAt);
      exports.add(names.toString('latin1', nameAt, end < 0 ? names.length : end));
    }
  }
  facts.exports = exports;
  return facts;
}

async function peFacts(h: fs.promises.FileHandle, size: number, head: Buffer): Promise<LibraryFacts> {
  const lfanew = head.readUInt32LE(0x3c);
  const pe = await readAt(h, size, lfanew, 24);
  if (pe.readUInt32LE(0) !== 0x00004550) throw new NotLibrary('an MZ header without a PE signature');
  const m = pe.readUInt16LE(4);
  const machine = PE_MACHINES[m] ?? `machine 0x${m.toString(16)}`;
  if ((pe.readUInt16LE(22) & 0x2000) === 0) throw new UserError('__LIB__ is a Windows executable, not a DLL');
  return { format: 'pe', bits: m === 0x14c || m === 0x1c4 ? 32 : 64, machine, exports: null };
}

/** Reads what a library is; a UserError (with `name` for the file) when it is not a shared library at all. */
export async function inspectLibrary(file: string, name = file): Promise<LibraryFacts> {
  const input = await openCheckedInput(file, { what: 'library' });
  const say = (text: string) => new UserError(text.replace('__LIB__', name));
  try {
    if (input.size === 0) throw say('__LIB__ is empty (0 bytes), not a shared library');
    const head = await readAt(input.handle, input.size, 0, Math.min(64, input.size));
    if (head.length >= 16 && head.readUInt32BE(0) === 0x7f454c46) {
      if (head.length < (head[4] === 1 ? 52 : 64)) throw new NotLibrary('the ELF header is cut short');
      return await elfFacts(input.handle, input.size, head);
    }
    if (head.length >= 64 && head[0] === 0x4d && head[1] === 0x5a) return await peFacts(input.handle, input.size, head);
    const start = [...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw say(`__LIB__ is not a shared library (no ELF or PE header; it starts with bytes ${start})`);
  } catch (err) {
    if (err instanceof NotLibrary) throw say(`__LIB__ is not a usable shared library (${err.message})`);
    if (err instanceof UserError && err.message.includes('__LIB__')) throw say(err.message);
    throw err;
  } finally {
    await input.handle.close().catch(() => undefined);
  }
}

export interface LibraryExpectation {
  /** The machine it must be built for (default: this machine's). */
  machine?: string;
  /** Symbols it must export (checked when the library lists them; else searched for as strings). */
  symbols?: readonly string[];
  /** Why the symbols matter, for the message: "ONNX Runtime's CUDA provider". */
  role?: string;
}

/** inspectLibrary, then the expectations; each failure is one UserError line naming `name`. */
export async function checkLibrary(file: string, name: string, want: LibraryExpectation = {}): Promise<LibraryFacts> {
  const facts = await inspectLibrary(file, name);
  const machine = want.machine ?? hostMachine();
  if (facts.bits !== 64 && (machine === 'x86-64' || machine === 'aarch64')) {
    throw new UserError(`${name} is a ${facts.bits}-bit library (${facts.machine}); this machine needs ${machine}`);
  }
  if (machine && facts.machine !== machine) {
    throw new UserError(`${name} is built for ${facts.machine}, but this machine needs ${machine}`);
  }
  const missing: string[] = [];
  for (const sym of want.symbols ?? []) {
    const has = facts.exports ? facts.exports.has(sym) : await fileContains(file, Buffer.from(`${sym}\0`, 'latin1'));
    if (!has) missing.push(sym);
  }
  if (missing.length) {
    throw new UserError(
      `${name} does not export ${missing.join(', ')}${want.role ? `, so it is not ${want.role}` : ''}` +
        ' (a damaged or different library)',
    );
  }
  return facts;
}

/** Whether `file` contains `needle`, streamed in bounded pieces (a library can be hundreds of MB). */
export async function fileContains(file: string, needle: Uint8Array): Promise<boolean> {
  const input = await openCheckedInput(file, { what: 'library' });
  try {
    const piece = 4 << 20;
    const buf = Buffer.alloc(piece + needle.length);
    let keep = 0;
    let at = 0;
    for (;;) {
      const { bytesRead } = await input.handle.read(buf, keep, piece, at);
      if (bytesRead === 0) return false;
      at += bytesRead;
      const view = buf.subarray(0, keep + bytesRead);
      if (view.indexOf(needle) >= 0) return true;
      keep = Math.min(needle.length - 1, view.length);
      view.copy(buf, 0, view.length - keep);
    }
  } finally {
    await input.handle.close().catch(() => undefined);
  }
}
