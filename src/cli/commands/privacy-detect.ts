import { createReadStream } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import { detectPersonalData } from '../../privacy/detect.js';

/** One input line: `id` and `text` are required, other fields are ignored. */
const InputLine = z.looseObject({ id: z.union([z.string(), z.number()]), text: z.string() });

function parseLine(raw: string, lineNo: number): z.infer<typeof InputLine> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new AppError('invalid_request', `Ligne ${lineNo} : JSON invalide.`);
  }
  const parsed = InputLine.safeParse(data);
  if (!parsed.success)
    throw new AppError(
      'invalid_request',
      `Ligne ${lineNo} : champs « id » et « text » (texte) obligatoires.`,
    );
  return parsed.data;
}

/**
 * Reads JSONL lines `{"id","text"}` and writes `{"id","spans":[{"start","end","type"}]}` per line
 * (offsets in code points). Blank lines are ignored; any other bad line stops the run with its
 * number, and no output file is written.
 */
export async function runPrivacyDetect(opts: {
  input: string;
  output: string;
}): Promise<{ lines: number; spans: number }> {
  try {
    await access(opts.input);
  } catch {
    throw new AppError('invalid_request', `Fichier d'entrée introuvable : ${opts.input}`);
  }
  const out: string[] = [];
  let lines = 0;
  let spans = 0;
  let lineNo = 0;
  const reader = createInterface({ input: createReadStream(opts.input, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const raw of reader) {
      lineNo++;
      if (raw.trim() === '') continue;
      const { id, text } = parseLine(raw, lineNo);
      const found = detectPersonalData(text).map(({ start, end, type }) => ({ start, end, type }));
      out.push(JSON.stringify({ id, spans: found }));
      lines++;
      spans += found.length;
    }
  } finally {
    reader.close();
  }
  try {
    await writeFile(opts.output, out.length ? `${out.join('\n')}\n` : '');
  } catch (e) {
    throw new AppError('invalid_request', `Impossible d'écrire le fichier de sortie : ${opts.output}`, {
      cause: e,
    });
  }
  return { lines, spans };
}

/** Adds `privacy detect --input <file> --output <file>` to an existing commander program. */
export function registerPrivacyDetect(program: Command): void {
  const privacy =
    program.commands.find((c) => c.name() === 'privacy') ??
    program.command('privacy').description('Données personnelles : détection et pseudonymisation');
  privacy
    .command('detect')
    .description('Détecte les données personnelles dans un fichier JSONL {"id","text"}')
    .requiredOption('--input <file>', 'fichier JSONL à analyser')
    .requiredOption('--output <file>', 'fichier JSONL des spans détectés')
    .action(async (o: { input: string; output: string }) => {
      const r = await runPrivacyDetect(o);
      process.stdout.write(
        `${r.lines} textes analysés, ${r.spans} données personnelles détectées → ${o.output}\n`,
      );
    });
}
