import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import S3rver from 's3rver';
import { attachmentDisposition, bytesAsBody, createLocalBlobStore, createS3BlobStore, resolveBlobDirectory, type BlobStore } from './blob-store.js';

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Yields `count` chunks of `size` bytes, and says whether the consumer returned early. */
function chunks(count: number, size: number) {
  const state = { yielded: 0, finished: false };
  const body = (async function* () {
    for (let i = 0; i < count; i += 1) {
      state.yielded += 1;
      yield Buffer.alloc(size, i % 256);
    }
    state.finished = true;
  })();
  return { body, state };
}

const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/** What both implementations must do alike. */
function describeBlobStore(name: string, open: () => Promise<{ store: BlobStore; age?: (key: string, by: number) => Promise<void> }>) {
  describe(name, () => {
    let store: BlobStore;
    let age: ((key: string, by: number) => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ store, age } = await open());
    });

    it('puts, stats, reads, streams, moves and deletes an object', async () => {
      const put = await store.put('attachments/1/a', bytesAsBody(pdf), { maxBytes: 1000, contentType: 'application/pdf' });
      expect(put).toEqual({ ok: true, size: pdf.length });
      expect(await store.stat('attachments/1/a')).toEqual({ size: pdf.length });
      expect(await store.read('attachments/1/a', 1000)).toEqual(pdf);
      expect(await store.read('attachments/1/a', 10)).toBe('TOO_LARGE');
      const got = await store.get('attachments/1/a');
      expect(got?.size).toBe(pdf.length);
      expect(await collect(got!.body)).toEqual(pdf);

      await store.move('attachments/1/a', 'attachments/1/b');
      expect(await store.stat('attachments/1/a')).toBeNull();
      expect(await store.read('attachments/1/b', 1000)).toEqual(pdf);

      await store.delete('attachments/1/b');
      await store.delete('attachments/1/b');
      expect(await store.stat('attachments/1/b')).toBeNull();
      expect(await store.get('attachments/1/b')).toBeNull();
      expect(await store.read('attachments/1/b', 1000)).toBeNull();
    });

    it('stops reading past the limit, stores nothing and leaves the body open', async () => {
      const { body, state } = chunks(100, 1024);
      expect(await store.put('attachments/2/big', body, { maxBytes: 10 * 1024, contentType: 'text/plain' })).toEqual({ ok: false, reason: 'TOO_LARGE' });
      expect(state.yielded).toBe(11);
      expect(state.finished).toBe(false);
      expect(await store.stat('attachments/2/big')).toBeNull();
      // Exactly at the limit is fine.
      expect(await store.put('attachments/2/exact', chunks(10, 1024).body, { maxBytes: 10 * 1024, contentType: 'text/plain' })).toEqual({ ok: true, size: 10 * 1024 });
    });

    it('replaces an object only once the new one is complete', async () => {
      await store.put('attachments/3/x', bytesAsBody(Buffer.from('old')), { maxBytes: 100, contentType: 'text/plain' });
      const refused = await store.put('attachments/3/x', bytesAsBody(Buffer.alloc(200)), { maxBytes: 100, contentType: 'text/plain' });
      expect(refused.ok).toBe(false);
      expect((await store.read('attachments/3/x', 100))?.toString()).toBe('old');
    });

    it('lists leftovers under a prefix older than a time', async () => {
      await store.put('staging/old', bytesAsBody(Buffer.from('1')), { maxBytes: 10, contentType: 'text/plain' });
      await store.put('staging/new', bytesAsBody(Buffer.from('2')), { maxBytes: 10, contentType: 'text/plain' });
      if (age) {
        await age('staging/old', 3600_000);
        expect(await store.listOlderThan('staging', new Date(Date.now() - 60_000))).toEqual(['staging/old']);
      }
      const all = await store.listOlderThan('staging', new Date(Date.now() + 60_000));
      expect(all.sort()).toEqual(['staging/new', 'staging/old']);
      expect(await store.listOlderThan('nothing-here', new Date(Date.now() + 60_000))).toEqual([]);
    });

    it('refuses keys the service does not make', async () => {
      for (const key of ['../etc/passwd', '/abs', 'a/../b', 'a//b', '.hidden', 'a b']) {
        await expect(store.stat(key)).rejects.toThrow('not a blob key');
      }
    });
  });
}

describe('blob stores', () => {
  let directory: string;
  let s3: S3rver;
  let s3Endpoint: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'blob-store-'));
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(directory, 's3rver'), configureBuckets: [{ name: 'attachments', configs: [] }] });
    const { port } = await s3.run();
    s3Endpoint = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await s3.close();
    await rm(directory, { recursive: true, force: true });
  });

  const openS3 = () =>
    createS3BlobStore({
      bucket: 'attachments',
      region: 'us-east-1',
      endpoint: s3Endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });

  describeBlobStore('on local disk', async () => {
    const root = path.join(directory, 'local');
    return {
      store: createLocalBlobStore({ directory: root }),
      age: async (key, by) => {
        const then = new Date(Date.now() - by);
        await utimes(path.join(root, ...key.split('/')), then, then);
      },
    };
  });

  describeBlobStore('in an S3-compatible store (s3rver)', async () => ({ store: openS3() }));

  it('resolves a relative blob directory under the repository root, not the working directory', () => {
    expect(resolveBlobDirectory('.data/attachments')).toBe(fileURLToPath(new URL('../../../.data/attachments', import.meta.url)));
    expect(resolveBlobDirectory('/var/lib/blobs')).toBe('/var/lib/blobs');
  });

  it('removes the temporary files a crashed local put left behind', async () => {
    const root = path.join(directory, 'crash');
    const store = createLocalBlobStore({ directory: root });
    await store.put('staging/keep', bytesAsBody(Buffer.from('k')), { maxBytes: 10, contentType: 'text/plain' });
    const leftover = path.join(root, 'staging', '.keep.123.part');
    await writeFile(leftover, 'partial');
    const then = new Date(Date.now() - 3600_000);
    await utimes(leftover, then, then);
    expect(await store.listOlderThan('staging', new Date(Date.now() - 60_000))).toEqual([]);
    await expect(import('node:fs/promises').then((fs) => fs.stat(leftover))).rejects.toThrow('ENOENT');
    expect(await store.stat('staging/keep')).toEqual({ size: 1 });
  });

  it('has no presigned links on local disk', () => {
    expect(createLocalBlobStore({ directory }).links).toBeNull();
  });

  describe('presigned URLs of the S3 store', () => {
    it('takes a PUT of the signed type and length, and downloads it as a named file', async () => {
      const store = openS3();
      const putUrl = await store.links!.putUrl('incoming/9/cv', { contentType: 'application/pdf', contentLength: pdf.length, expiresInSeconds: 60 });
      expect(putUrl.startsWith(`${s3Endpoint}/attachments/incoming/9/cv?`)).toBe(true);
      const put = await fetch(putUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: pdf });
      expect(put.status).toBe(200);
      expect(await store.read('incoming/9/cv', 1000)).toEqual(pdf);

      const getUrl = await store.links!.getUrl('incoming/9/cv', { contentType: 'application/pdf', fileName: 'Curriculum vitæ.pdf', expiresInSeconds: 60 });
      const got = await fetch(getUrl);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('application/pdf');
      expect(got.headers.get('content-disposition')).toBe(attachmentDisposition('Curriculum vitæ.pdf'));
      expect(Buffer.from(await got.arrayBuffer())).toEqual(pdf);
    });

    // s3rver checks a presigned URL's expiry but not its V4 signature; the service checks the
    // bytes' type and size itself once they are in the store, so that any store will do.
    it('signs the type and length into a PUT URL, and refuses it once expired', async () => {
      const store = openS3();
      const putUrl = new URL(await store.links!.putUrl('incoming/10/cv', { contentType: 'application/pdf', contentLength: pdf.length, expiresInSeconds: 1 }));
      expect(putUrl.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
      expect(putUrl.searchParams.get('X-Amz-Expires')).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const put = await fetch(putUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: pdf });
      expect(put.status).toBe(403);
      expect(await put.text()).toContain('Request has expired');
      expect(await store.stat('incoming/10/cv')).toBeNull();
    });
  });

  it('names a download in ASCII and in UTF-8', () => {
    expect(attachmentDisposition('Lebenslauf "Müller".pdf')).toBe(`attachment; filename="Lebenslauf _M_ller_.pdf"; filename*=UTF-8''Lebenslauf%20%22M%C3%BCller%22.pdf`);
  });
});
