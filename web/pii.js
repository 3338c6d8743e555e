// A light client-side check for personal data in a question (the server pseudonymises anyway).

function nirValid(digits) {
  const d = digits.replace(/2A/i, '19').replace(/2B/i, '18');
  if (!/^\d{15}$/.test(d)) return false;
  const key = 97 - Number(BigInt(d.slice(0, 13)) % 97n);
  return key === Number(d.slice(13));
}

const CHECKS = [
  {
    type: 'numéro de sécurité sociale (NIR)',
    re: /\b[12][\s.]?\d{2}[\s.]?\d{2}[\s.]?(?:\d{2}|2[AB])[\s.]?\d{3}[\s.]?\d{3}[\s.]?\d{2}\b/gi,
    valid: (m) => nirValid(m.replace(/[\s.]/g, '')),
  },
  { type: 'IBAN', re: /\bFR\d{2}(?:\s?[0-9A-Z]{4}){5}\s?[0-9A-Z]{3}\b/gi },
  { type: 'numéro de téléphone', re: /(?:\+33\s?|0033\s?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b/g },
  { type: 'adresse électronique', re: /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g },
  { type: 'numéro fiscal', re: /\b[0-3]\d{12}\b/g },
  { type: 'date de naissance', re: /\bn[ée]e?\s+le\s+\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}/gi },
];

/** The kinds of personal data the text seems to contain (in French, for the notice). */
export function detectPersonalData(text) {
  const found = [];
  for (const c of CHECKS) {
    const hits = text.match(c.re) ?? [];
    if (hits.some((m) => (c.valid ? c.valid(m) : true))) found.push(c.type);
  }
  return found;
}
