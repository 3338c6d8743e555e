import { openServices } from '../compose.js';
import type { Services } from '../services.js';

export { openServices };

/** Runs a command body with services, closing them afterwards whatever happens. */
export async function withServices<T>(fn: (s: Services) => Promise<T>): Promise<T> {
  const services = await openServices();
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}
