/** Check-digit algorithms of the French identifiers. Inputs are digit strings (already normalised). */

/** Luhn check (SIREN, SIRET). */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Remainder of a long decimal string modulo m, without BigInt. */
export function modString(digits: string, m: number): number {
  let r = 0;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + (digits.charCodeAt(i) - 48)) % m;
  return r;
}

/** ISO 13616 / ISO 7064 mod-97 check of an IBAN given without separators. */
export function ibanValid(iban: string): boolean {
  const s = iban.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(s)) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let numeric = '';
  for (const ch of rearranged) {
    const c = ch.charCodeAt(0);
    numeric += c >= 65 ? String(c - 55) : ch;
  }
  return modString(numeric, 97) === 1;
}

/** NIR key: 97 − (first 13 characters mod 97), Corsica 2A → 19, 2B → 18. */
export function nirValid(nir: string): boolean {
  const s = nir.toUpperCase();
  if (!/^[12]\d{4}(?:\d{2}|2A|2B)\d{8}$/.test(s)) return false;
  const month = Number(s.slice(3, 5));
  if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || month >= 50)) return false;
  const dept = s.slice(5, 7);
  if (dept !== '2A' && dept !== '2B') {
    const d = Number(dept);
    if (d === 0 || d === 96 || d === 98) return false;
  }
  const body = s.slice(0, 13).replace('2A', '19').replace('2B', '18');
  const key = Number(s.slice(13));
  return key === 97 - modString(body, 97);
}

/** SIRET: Luhn on 14 digits with a Luhn-valid SIREN, or the La Poste exception. */
export function siretValid(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (siret.startsWith('356000000')) {
    let sum = 0;
    for (const ch of siret) sum += ch.charCodeAt(0) - 48;
    return sum % 5 === 0;
  }
  return luhnValid(siret) && luhnValid(siret.slice(0, 9));
}

/** SIREN: 9 digits, Luhn. */
export function sirenValid(siren: string): boolean {
  return /^\d{9}$/.test(siren) && luhnValid(siren);
}

/** Numéro fiscal (SPI): 13 digits, first 0–3, last three = first ten mod 511. */
export function taxIdValid(spi: string): boolean {
  if (!/^[0-3]\d{12}$/.test(spi)) return false;
  return modString(spi.slice(0, 10), 511) === Number(spi.slice(10));
}

/** Keeps digits (and the Corsican letters of a NIR) only. */
export function compact(value: string): string {
  return value.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
}
