/** Lower-case and strip diacritics, for dictionary look-ups ("Hélène" → "helene"). */
export function fold(word: string): string {
  return word
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/’/g, "'")
    .toLowerCase();
}
