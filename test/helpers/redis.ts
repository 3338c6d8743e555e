import { createConnection } from 'node:net';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when the Redis server answers; under CI=true an absent Redis is a failure, not a skip. */
export async function redisAvailable(): Promise<boolean> {
  const { hostname, port } = new URL(REDIS_URL);
  const ok = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => (socket.destroy(), resolve(d.toString().startsWith('+PONG'))));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
  if (!ok && process.env.CI === 'true')
    throw new Error(`Redis injoignable (${REDIS_URL}) alors que CI=true.`);
  if (!ok) console.warn(`[accounts] Redis injoignable sur ${REDIS_URL} : suites Redis ignorées.`);
  return ok;
}
