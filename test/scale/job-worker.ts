/**
 * A bare job worker for the take-over test: opens the PostgreSQL store of GUICHET_TEST_DB, works on
 * the corpus-refresh queue with the short pg-boss settings of GUICHET_TEST_JOBS (JSON), and prints
 * « prêt » once it polls. Run with `node --import tsx test/scale/job-worker.ts`.
 */
import { loadConfig } from '../../src/config/load.js';
import { createJobQueue } from '../../src/jobs/index.js';
import { workIngestJobs } from '../../src/jobs/ingest-job.js';
import { openStore } from '../../src/store/index.js';

const config = loadConfig({
  env: {},
  overrides: {
    store: { database_url: process.env.GUICHET_TEST_DB },
    jobs: JSON.parse(process.env.GUICHET_TEST_JOBS ?? '{}'),
  },
});
const store = await openStore({
  dataDir: '.',
  databaseUrl: config.store.database_url,
  postgres: { logger: { warn: () => undefined } },
});
const queue = createJobQueue(config, store);
await workIngestJobs(queue, { store, chunkTokens: config.search.chunk_tokens });
process.stdout.write('prêt\n');
process.once(
  'SIGTERM',
  () =>
    void queue
      .close()
      .then(() => store.close())
      .then(() => process.exit(0)),
);
