/**
 * What makes an extract unusable at the counter, checked on an answer's text: a sentence given
 * twice, a sentence that stops inside a phrase (cut at a line break or a passage edge), a
 * "Voir aussi" line (navigation), a stray Markdown mark.
 */
const OPEN_END =
  /(?:[,(«“'’-]|(?:^|\s)(?:le|la|les|de|du|des|à|au|aux|par|pour|en|et|ou|un|une|sur|avec|dans|sans|chez|que|qui|dont|son|sa|ses|leur|leurs|ce|cette|ces|entre|vers|selon|si|ni|mais|car))$/u;

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\d]+/gu, ' ')
    .toLowerCase()
    .trim();

/** The sentences of an extractive answer: bullets, titles, citations and the fixed lines removed. */
export function answerSentences(answer: string): string[] {
  return answer
    .split('\n')
    .slice(2, -2)
    .map((line) =>
      line
        .replace(/^\s*(?:[-*]|\d+\.)\s+/, '')
        .replace(/^\*\*[^*]+\*\*(?: — selon la situation)?\s*(?:\[\d+\])?\s*:?\s*/, '')
        .replace(/^\*[^*]+\* : /, '')
        .replace(/\s*\[\d+\]\s*:?$/, ''),
    )
    .flatMap((line) => line.split(/(?<=[.!?…])\s+(?=[«"(\p{Lu}\d])/u))
    .map((s) => s.trim())
    .filter(Boolean);
}

export function answerDefects(answer: string): string[] {
  const defects: string[] = [];
  const seen = new Set<string>();
  for (const s of answerSentences(answer)) {
    const key = fold(s);
    if (key.length >= 20 && seen.has(key)) defects.push(`répétée : ${s}`);
    seen.add(key);
    if (OPEN_END.test(s.replace(/[.!?…:;]+$/, '').trim())) defects.push(`coupée : ${s}`);
  }
  if (/voir aussi/i.test(answer)) defects.push('« Voir aussi » cité');
  const body = answer.replace(/\*\*[^*\n]+\*\*/g, '').replace(/\*[^*\n]+\*/g, '');
  if (body.includes('*')) defects.push('astérisque isolé');
  return defects;
}
