import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../../../src/util/errors';
import { fsErrorMessage, fsUserError, isUserFsError } from '../../../src/util/fsErrors';
import {
  checkInputPath,
  openCheckedInput,
  readCheckedInput,
  readCheckedInputSync,
  readCheckedTextSync,
} from '../../../src/util/inputs';

describe('util/inputs: inputs are opened once and checked', () => {
  let dir: string;
  let server: net.Server | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-inputs-'));
  });
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const refusedWith = (message: RegExp) => (e: unknown) => e instanceof UserError && message.test(e.message);

  it('reads a regular file whole, and the same bytes synchronously', async () => {
    const f = path.join(dir, 'm.onnx');
    fs.writeFileSync(f, Buffer.from([1, 2, 3, 0, 255]));
    assert.deepEqual([...(await readCheckedInput(f))], [1, 2, 3, 0, 255]);
    assert.deepEqual([...readCheckedInputSync(f)], [1, 2, 3, 0, 255]);
    fs.writeFileSync(f, 'héllo');
    assert.equal(readCheckedTextSync(f), 'héllo');
  });

  it('a FIFO is refused at once, without waiting for a writer (the open does not block)', async () => {
    const fifo = path.join(dir, 'data.csv');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    await assert.rejects(
      openCheckedInput(fifo, { what: 'CSV file' }),
      refusedWith(
        /^CSV file .*data\.csv is a named pipe \(FIFO\), not a regular file; Flowbench reads only regular files$/,
      ),
    );
    assert.throws(
      () => readCheckedTextSync(fifo, { what: 'Python file' }),
      refusedWith(/Python file .* is a named pipe/),
    );
    assert.throws(() => checkInputPath(fifo), refusedWith(/is a named pipe/));
    assert.ok(Date.now() - t0 < 2000);
  });

  it('/dev/zero (never ends), a folder and a socket are refused before a byte is read', async () => {
    await assert.rejects(
      readCheckedInput('/dev/zero', { what: 'model' }),
      refusedWith(/^model \/dev\/zero is a character device/),
    );
    await assert.rejects(readCheckedInput(dir), refusedWith(/is a folder, not a file/));
    const sock = path.join(dir, 's.sock');
    server = net.createServer();
    await new Promise<void>((r) => server!.listen(sock, () => r()));
    await assert.rejects(readCheckedInput(sock), refusedWith(/s\.sock is a socket, not a regular file/));
    assert.throws(() => readCheckedInputSync(sock), refusedWith(/is a socket/));
  });

  it('a missing file, a path through a file, a NUL byte: one clear line each', async () => {
    await assert.rejects(
      readCheckedInput(path.join(dir, 'nope.csv'), { what: 'CSV file' }),
      refusedWith(/^CSV file not found: .*nope\.csv$/),
    );
    const f = path.join(dir, 'f');
    fs.writeFileSync(f, 'x');
    await assert.rejects(readCheckedInput(path.join(f, 'x.csv')), refusedWith(/has a file where a folder is expected/));
    await assert.rejects(readCheckedInput(path.join(dir, 'a\0b')), refusedWith(/a path cannot contain a NUL byte/));
  });

  it('a size cap, with the hint', async () => {
    const f = path.join(dir, 'big.onnx');
    fs.writeFileSync(f, Buffer.alloc(3000));
    await assert.rejects(
      readCheckedInput(f, { what: 'model', maxBytes: 2048, tooBigHint: 'raise it with X' }),
      refusedWith(/^model .*big\.onnx is 2\.9 KiB, above the 2\.0 KiB limit; raise it with X$/),
    );
    assert.equal((await readCheckedInput(f, { maxBytes: 3000 })).length, 3000);
  });

  it('checkInputPath: a folder where a folder is wanted, and nothing else', () => {
    assert.ok(checkInputPath(dir, { folder: true }).isDirectory());
    const f = path.join(dir, 'f');
    fs.writeFileSync(f, 'x');
    assert.throws(() => checkInputPath(f, { folder: true, what: 'DIR' }), refusedWith(/^DIR .*f is not a folder$/));
  });
});

describe('util/fsErrors: one place turns errno into words', () => {
  const err = (code: string, p = '/x/y') => Object.assign(new Error(`${code}: boom, open '${p}'`), { code, path: p });

  it('maps the filesystem errors of user paths to UserError, and leaves bugs alone', () => {
    for (const [code, words] of [
      ['ENOTDIR', 'has a file where a folder is expected in its path'],
      ['EISDIR', 'is a folder, not a file'],
      ['EACCES', 'permission denied'],
      ['EROFS', 'is on a read-only filesystem'],
      ['ENOSPC', 'no space left on the device'],
      ['EEXIST', 'already exists'],
      ['ENAMETOOLONG', 'the path is too long'],
      ['ELOOP', 'too many levels of symbolic links'],
    ]) {
      const u = fsUserError(err(code), { what: 'the output file', action: 'write' });
      assert.ok(u instanceof UserError, code);
      assert.equal(u.message, `cannot write the output file /x/y: ${words}`);
      assert.ok(isUserFsError(err(code)));
    }
    assert.equal(fsErrorMessage(err('ENOENT')), '/x/y does not exist');
    const bug = new TypeError('x is not a function');
    assert.equal(fsUserError(bug), bug);
    const unknown = Object.assign(new Error('EBADF'), { code: 'EBADF' });
    assert.equal(fsUserError(unknown), unknown);
  });
});
