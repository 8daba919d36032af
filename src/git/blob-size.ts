// The size of a git object read from its header alone, so a 10 MB blob can be refused without
// being inflated. isomorphic-git only reads whole objects; this reads pack index v2 files and the
// few header bytes of a pack entry (or of a loose object).
import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, inflateSync } from 'node:zlib';

interface PackIndex {
  pack: string;
  fanout: Uint32Array;
  names: Buffer;
  offsets: Buffer;
  largeOffsets: Buffer;
  count: number;
}

const OBJ_OFS_DELTA = 6;
const OBJ_REF_DELTA = 7;

export function createBlobSizer(gitdir: string) {
  const indexes = new Map<string, PackIndex>();

  async function loadIndexes(): Promise<PackIndex[]> {
    const dir = join(gitdir, 'objects', 'pack');
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const file of files) {
      if (!file.endsWith('.idx') || indexes.has(file)) continue;
      const pack = join(dir, file.replace(/\.idx$/, '.pack'));
      const buf = await readFile(join(dir, file));
      if (buf.readUInt32BE(0) !== 0xff744f63 || buf.readUInt32BE(4) !== 2) continue; // only v2 (what git and isomorphic-git write)
      const fanout = new Uint32Array(256);
      for (let i = 0; i < 256; i++) fanout[i] = buf.readUInt32BE(8 + i * 4);
      const count = fanout[255]!;
      const namesStart = 8 + 256 * 4;
      const offsetsStart = namesStart + count * 20 + count * 4;
      indexes.set(file, {
        pack,
        fanout,
        count,
        names: buf.subarray(namesStart, namesStart + count * 20),
        offsets: buf.subarray(offsetsStart, offsetsStart + count * 4),
        largeOffsets: buf.subarray(offsetsStart + count * 4),
      });
    }
    return [...indexes.values()];
  }

  function find(index: PackIndex, oid: Buffer): number | undefined {
    let lo = oid[0]! === 0 ? 0 : index.fanout[oid[0]! - 1]!;
    let hi = index.fanout[oid[0]!]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const cmp = index.names.compare(oid, 0, 20, mid * 20, mid * 20 + 20) * -1;
      if (cmp === 0) {
        const small = index.offsets.readUInt32BE(mid * 4);
        if (small & 0x80000000) return Number(index.largeOffsets.readBigUInt64BE((small & 0x7fffffff) * 8));
        return small;
      }
      if (cmp < 0) hi = mid;
      else lo = mid + 1;
    }
    return undefined;
  }

  async function packedSize(pack: string, offset: number): Promise<number> {
    const handle = await open(pack, 'r');
    try {
      const head = Buffer.alloc(512);
      const { bytesRead } = await handle.read(head, 0, head.length, offset);
      let pos = 0;
      let c = head[pos++]!;
      const type = (c >> 4) & 7;
      let size = c & 15;
      let shift = 4;
      while (c & 0x80) {
        c = head[pos++]!;
        size += (c & 0x7f) * 2 ** shift;
        shift += 7;
      }
      if (type !== OBJ_OFS_DELTA && type !== OBJ_REF_DELTA) return size;
      // A delta: the entry's size is the delta's; the result size is the second varint inside it.
      if (type === OBJ_OFS_DELTA) {
        do c = head[pos++]!;
        while (c & 0x80);
      } else pos += 20;
      const delta = inflateSync(head.subarray(pos, bytesRead), { finishFlush: constants.Z_SYNC_FLUSH });
      let p = 0;
      const varint = () => {
        let value = 0;
        let s = 0;
        let b: number;
        do {
          b = delta[p++]!;
          value += (b & 0x7f) * 2 ** s;
          s += 7;
        } while (b & 0x80);
        return value;
      };
      varint(); // base size
      return varint();
    } finally {
      await handle.close();
    }
  }

  async function looseSize(oid: string): Promise<number | undefined> {
    const handle = await open(join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2)), 'r').catch(() => undefined);
    if (!handle) return undefined;
    try {
      const head = Buffer.alloc(256);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      const text = inflateSync(head.subarray(0, bytesRead), { finishFlush: constants.Z_SYNC_FLUSH }).toString('latin1');
      const match = /^[a-z]+ (\d+)\0/.exec(text);
      return match ? Number(match[1]) : undefined;
    } finally {
      await handle.close();
    }
  }

  /** The object's size in bytes, or undefined when it is not in the repository. */
  return async function blobSize(oid: string): Promise<number | undefined> {
    const loose = await looseSize(oid);
    if (loose !== undefined) return loose;
    const raw = Buffer.from(oid, 'hex');
    for (const index of await loadIndexes()) {
      const offset = find(index, raw);
      if (offset !== undefined) return packedSize(index.pack, offset);
    }
    return undefined;
  };
}
