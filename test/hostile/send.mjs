// Sends uploads from a separate process (so that the client's own work — building and writing
// multipart bodies of tens of MB — does not run on the event loop of the server under test).
// argv[2]: JSON [{ url, key, collection, file, fileName }]; prints one JSON line of results.
import { readFileSync } from 'node:fs';

const jobs = JSON.parse(process.argv[2]);
const results = await Promise.all(
  jobs.map(async (j) => {
    const form = new FormData();
    form.set('file', new Blob([readFileSync(j.file)]), j.fileName);
    form.set('collection', j.collection);
    const t = performance.now();
    const res = await fetch(`${j.url}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${j.key}` },
      body: form,
    });
    const body = await res.json();
    return { status: res.status, body, ms: performance.now() - t };
  }),
);
process.stdout.write(JSON.stringify(results) + '\n');
