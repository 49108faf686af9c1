/**
 * Minimal ELF shared objects for tests: a real header (class, byte order, type, machine), section headers and a
 * dynamic symbol table with the given exports, so the library checks read them as they read a real .so.
 */
/** ELF e_machine of this machine (x86-64 or aarch64) and of the other one, for a library built elsewhere. */
export const HOST_MACHINE = process.arch === 'arm64' ? 183 : 62;
export const FOREIGN_MACHINE = HOST_MACHINE === 62 ? 183 : 62;

export interface FakeElf {
  /** ELF e_machine: 62 x86-64, 183 aarch64, 3 i386 (default: this machine's). */
  machine?: number;
  bits?: 32 | 64;
  /** e_type: 3 shared object (default), 2 executable, 1 object file. */
  type?: number;
  exports?: string[];
  /** Undefined (imported) symbols, which must not count as exports. */
  imports?: string[];
  /** Bytes placed in a .rodata section (a version string). */
  rodata?: string;
  /** Drop the section headers (as sstrip does). */
  stripSections?: boolean;
}

export function fakeElf(o: FakeElf = {}): Buffer {
  const bits = o.bits ?? 64;
  const head = Buffer.alloc(64);
  head.writeUInt32BE(0x7f454c46, 0);
  head[4] = bits === 64 ? 2 : 1;
  head[5] = 1; // little endian
  head[6] = 1; // version
  head.writeUInt16LE(o.type ?? 3, 16);
  head.writeUInt16LE(o.machine ?? HOST_MACHINE, 18);
  head.writeUInt32LE(1, 20);
  if (bits === 32) return Buffer.concat([head.subarray(0, 52), Buffer.from(o.rodata ?? '')]);
  const names = [...(o.exports ?? []), ...(o.imports ?? [])];
  const dynstrParts: Buffer[] = [Buffer.from([0])];
  const nameAt: number[] = [];
  let at = 1;
  for (const n of names) {
    nameAt.push(at);
    dynstrParts.push(Buffer.from(n + '\0', 'latin1'));
    at += n.length + 1;
  }
  const dynstr = Buffer.concat(dynstrParts);
  const dynsym = Buffer.alloc(24 * (names.length + 1));
  names.forEach((_, i) => {
    const o2 = 24 * (i + 1);
    dynsym.writeUInt32LE(nameAt[i], o2);
    dynsym[o2 + 4] = (1 << 4) | 2; // GLOBAL FUNC
    dynsym.writeUInt16LE(i < (o.exports ?? []).length ? 4 : 0, o2 + 6);
  });
  const shstr = Buffer.from('\0.dynstr\0.dynsym\0.shstrtab\0.rodata\0', 'latin1');
  const rodata = Buffer.from(o.rodata ?? 'fake library', 'latin1');
  const offDynstr = 64;
  const offDynsym = offDynstr + dynstr.length;
  const offShstr = offDynsym + dynsym.length;
  const offRodata = offShstr + shstr.length;
  const offSh = offRodata + rodata.length;
  const sh = Buffer.alloc(64 * 5);
  const sect = (i: number, name: number, type: number, offset: number, size: number, link = 0, entsize = 0) => {
    const b = i * 64;
    sh.writeUInt32LE(name, b);
    sh.writeUInt32LE(type, b + 4);
    sh.writeBigUInt64LE(BigInt(offset), b + 24);
    sh.writeBigUInt64LE(BigInt(size), b + 32);
    sh.writeUInt32LE(link, b + 40);
    sh.writeBigUInt64LE(BigInt(entsize), b + 56);
  };
  sect(1, 1, 3, offDynstr, dynstr.length);
  sect(2, 9, 11, offDynsym, dynsym.length, 1, 24);
  sect(3, 17, 3, offShstr, shstr.length);
  sect(4, 27, 1, offRodata, rodata.length);
  if (!o.stripSections) {
    head.writeBigUInt64LE(BigInt(offSh), 0x28);
    head.writeUInt16LE(64, 0x34); // e_ehsize
    head.writeUInt16LE(64, 0x3a);
    head.writeUInt16LE(5, 0x3c);
    head.writeUInt16LE(3, 0x3e);
  }
  return Buffer.concat([head, dynstr, dynsym, shstr, rodata, o.stripSections ? Buffer.alloc(0) : sh]);
}

/** The pair `install-cuda` expects, valid for this machine, with the runtime's version string inside. */
export function fakeProviderPair(version = '1.29.0', machine = HOST_MACHINE): { cuda: Buffer; shared: Buffer } {
  return {
    cuda: fakeElf({
      machine,
      exports: ['GetProvider'],
      imports: ['Provider_GetHost'],
      rodata: `onnxruntime ${version}`,
    }),
    shared: fakeElf({ machine, exports: ['Provider_GetHost', 'Provider_SetHost'] }),
  };
}
