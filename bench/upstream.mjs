// A fast OpenAI-compatible upstream for the proxy benchmark (a separate process, loopback only).
// Model `fast` answers at once; model `paced` streams PACED_TOKENS tokens PACED_INTERVAL_MS apart
// (set by bench/proxy.ts), like a model server generating tokens one by one; `paced-long` streams
// PACED_LONG_TOKENS the same way (the difference between the two gives the cost of one event).
import { createServer } from 'node:http';

const PACED_TOKENS = Number(process.env.PACED_TOKENS ?? 16);
const PACED_INTERVAL_MS = Number(process.env.PACED_INTERVAL_MS ?? 10);
const PACED_LONG_TOKENS = Number(process.env.PACED_LONG_TOKENS ?? 116);

const completion = JSON.stringify({
  id: 'bench',
  object: 'chat.completion',
  created: 1,
  model: 'fast',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Réponse de test.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
});
const chunk = (content, finish) =>
  `data: ${JSON.stringify({ id: 'bench', object: 'chat.completion.chunk', created: 1, model: 'fast', choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const paced = body.includes('"model":"paced"')
      ? PACED_TOKENS
      : body.includes('"model":"paced-long"')
        ? PACED_LONG_TOKENS
        : 0;
    if (paced > 0) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < paced) return void res.write(chunk(`jeton${sent++} `, null));
        clearInterval(timer);
        res.write(chunk(null, 'stop'));
        res.end('data: [DONE]\n\n');
      }, PACED_INTERVAL_MS);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (body.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('Réponse', null));
      res.write(chunk(' de test.', null));
      res.write(chunk(null, 'stop'));
      res.end('data: [DONE]\n\n');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(completion),
    });
    res.end(completion);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
