// Writes filtered WebDataset shards: the samples a decision keeps, every member byte for byte, with the decision's
// fields added to each sample's json.

import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { CellValue } from './input-types.js';
import { expandBraces, splitMemberName, walkSamples } from './webdataset.js';

/** What {@link writeFilteredShards} wrote. */
export interface FilteredShards {
  /** The folder of shards. */
  dir: string;
  /** Shard files written (one per input shard holding a kept sample). */
  shards: number;
  /** Samples written. */
  samples: number;
}

/**
 * The sample's json with `fields` added after its own keys. Its text is kept as it is (numbers beyond 2^53, key
 * order, spacing), and a field whose name the sample already uses is added as `audit_<name>` (`audit_audit_<name>`
 * when that is taken too), as in the JSONL manifests, so the sample's own values are never overwritten.
 */
export function withFields(json: Buffer, fields: Readonly<Record<string, CellValue>>): Buffer {
  const text = json.toString('utf8');
  const value = JSON.parse(text) as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return Buffer.from(JSON.stringify({ ...(value as object), ...fields }));
  const free = (k: string): string => (Object.hasOwn(value, k) ? free(`audit_${k}`) : k);
  const added = Object.entries(fields)
    .map(([k, v]) => `${JSON.stringify(free(k))}:${JSON.stringify(v ?? null)}`)
    .join(',');
  const end = text.lastIndexOf('}');
  return Buffer.from(
    `${text.slice(0, end)}${Object.keys(value).length > 0 ? ',' : ''}${added}${text.slice(end)}`,
    'utf8',
  );
}

/**
 * Writes into `dir` the samples of the WebDataset `input` (one shard or a brace pattern, local or s3://) whose row
 * number is a key of `keep`, in order, one output shard per input shard that holds any (same base name; a base name
 * met twice gets its shard's index in front). Every member is copied byte for byte, except the json, whose object
 * gets `keep`'s fields for that row; a sample without a json gets one holding just them. The shards are written into
 * a temporary folder beside `dir` that replaces it at the end: a finished folder or none.
 */
export async function writeFilteredShards(
  input: string,
  dir: string,
  keep: ReadonlyMap<number, Readonly<Record<string, CellValue>>>,
): Promise<FilteredShards> {
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  let pack: tar.Pack | null = null;
  let written: Promise<void> | null = null;
  let name = '';
  let index = -1;
  const names = new Set<string>();
  let shards = 0;
  let samples = 0;
  const close = async (): Promise<void> => {
    if (!pack) return;
    pack.finalize();
    await written;
    pack = null;
  };
  const entry = (p: tar.Pack, member: string, body: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      p.entry({ name: member, size: body.length }, body, (err) => (err ? reject(err) : resolve()));
    });
  try {
    for await (const ev of walkSamples(input, expandBraces(input), (row) => keep.has(row))) {
      if (ev.type === 'shard') {
        await close();
        index++;
        name = ev.shard.slice(ev.shard.lastIndexOf('/') + 1);
        continue;
      }
      if (ev.type !== 'sample') continue;
      const fields = keep.get(ev.row);
      const bodies = ev.sample.bodies;
      if (!fields || !bodies) continue;
      if (!pack) {
        let file = name;
        if (names.has(file)) file = `${index}-${name}`;
        names.add(file);
        const p: tar.Pack = tar.pack();
        pack = p;
        written = pipeline(p, createWriteStream(path.join(tmp, file)));
        shards++;
      }
      let json = false;
      for (let i = 0; i < ev.sample.members.length; i++) {
        const m = ev.sample.members[i];
        const isJson = splitMemberName(m.name).ext === 'json';
        json ||= isJson;
        await entry(pack, m.name, isJson ? withFields(bodies[i], fields) : bodies[i]);
      }
      if (!json) await entry(pack, `${ev.sample.key}.json`, Buffer.from(JSON.stringify(fields)));
      samples++;
    }
    await close();
  } catch (err) {
    (pack as tar.Pack | null)?.destroy();
    await written?.catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return { dir, shards, samples };
}
