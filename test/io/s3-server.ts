// Test helper: a real S3-compatible server (s3rver) on 127.0.0.1, and a proxy in front of it that injects faults.

import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver accepts requests signed with this key pair. */
export const S3RVER_KEYS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

/** Faults the proxy injects into GetObject requests (GET of an object key, not listings). */
export interface Faults {
  /** Answer this many object GETs with 503 SlowDown before forwarding any. */
  slowDown: number;
  /** Cut this many object GET bodies after 20,000 bytes (the connection is destroyed mid-body). */
  cutBodies: number;
  /** Object keys whose GET and HEAD are answered 403 AccessDenied. */
  denied: Set<string>;
  /** Requests seen (method and path), for assertions. */
  log: string[];
}

export interface TestS3 {
  /** The endpoint to use: the fault proxy in front of s3rver. */
  endpoint: string;
  faults: Faults;
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
  close(): Promise<void>;
}

/** Starts s3rver (data under `dir`) with `buckets`, and the fault proxy; both on 127.0.0.1, ephemeral ports. */
export async function startTestS3(dir: string, buckets: string[]): Promise<TestS3> {
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(dir, 's3rver'),
    configureBuckets: [],
  });
  const { port: s3Port } = (await s3.run()) as AddressInfo;
  const faults: Faults = { slowDown: 0, cutBodies: 0, denied: new Set(), log: [] };
  const proxy: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean);
    const isObject =
      parts.length >= 2 && (req.method === 'GET' || req.method === 'HEAD') && !url.searchParams.has('list-type');
    const key = decodeURIComponent(parts.slice(1).join('/'));
    faults.log.push(`${req.method} ${url.pathname}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    if (isObject && faults.denied.has(key)) {
      res
        .writeHead(403, { 'Content-Type': 'application/xml' })
        .end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
        );
      return;
    }
    if (isObject && req.method === 'GET' && faults.slowDown > 0) {
      faults.slowDown--;
      res
        .writeHead(503, { 'Content-Type': 'application/xml' })
        .end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
        );
      return;
    }
    const cut = isObject && req.method === 'GET' && faults.cutBodies > 0;
    if (cut) faults.cutBodies--;
    // The Host header is forwarded unchanged: the request's signature covers it.
    const up = request(
      { host: '127.0.0.1', port: s3Port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        if (!cut) {
          upRes.pipe(res);
          return;
        }
        let sent = 0;
        upRes.on('data', (chunk: Buffer) => {
          const room = 20000 - sent;
          if (room <= 0) return;
          sent += Math.min(room, chunk.length);
          const last = sent >= 20000;
          // Once the bytes have left, break the connection: the client holds a body that stops mid-way.
          res.write(chunk.subarray(0, room), () => {
            if (last) setTimeout(() => res.destroy(), 50);
          });
          if (last) upRes.destroy();
        });
        upRes.on('end', () => res.end());
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  // The SDK's notice that its 2027 releases need Node 22 (the package itself turns it off the same way).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${s3Port}`,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: S3RVER_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: S3RVER_KEYS.AWS_SECRET_ACCESS_KEY },
  });
  for (const b of buckets) await client.send(new CreateBucketCommand({ Bucket: b }));
  return {
    endpoint,
    faults,
    async put(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async close() {
      client.destroy();
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
      await s3.close();
    },
  };
}
