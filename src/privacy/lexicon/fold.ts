/** Lower-case and strip diacritics, for dictionary look-ups ("Hélène" → "helene"). */
export function fold(word: string): string {
  // Fast path: plain ASCII words only need lower-casing.
  if (/^[\x20-\x7e]*$/.test(word)) return word.toLowerCase();
  return word
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/’/g, "'")
    .toLowerCase();
}
