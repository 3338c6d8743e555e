/**
 * Commander writes its own messages (usage errors, help headings) in English, with no locale
 * option: they are translated here, on their way out, from the fixed shapes commander 14 uses.
 * A message of an unknown shape is left as it is (still prefixed « Erreur : »).
 */

const quoted = (s: string) => `« ${s} »`;

const ERRORS: Array<[RegExp, (...m: string[]) => string]> = [
  [/^error: missing required argument '(.+)'/, (a) => `argument obligatoire manquant : ${quoted(a)}.`],
  [/^error: option '(.+)' argument missing/, (o) => `l'option ${o} attend une valeur.`],
  [/^error: required option '(.+)' not specified/, (o) => `option obligatoire manquante : ${o}.`],
  [/^error: unknown option '(.+?)'/, (o) => `option inconnue : ${o}.`],
  [/^error: unknown command '(.+?)'/, (c) => `commande inconnue : ${quoted(c)}.`],
  [
    /^error: too many arguments(?: for '(.+)')?\. Expected (\d+) arguments? but got (\d+)\./,
    (c, expected, got) =>
      `trop d'arguments${c ? ` pour ${quoted(c)}` : ''} : ${expected} attendu${Number(expected) > 1 ? 's' : ''}, ${got} reçus.`,
  ],
  [/^error: (.+) cannot be used with (.+)/, (a, b) => `${a} ne peut pas être utilisée avec ${b}.`],
  [
    /^error: option '(.+)' argument '(.*)' is invalid\.\s*(.*)/,
    (o, v, why) => `valeur ${quoted(v)} invalide pour l'option ${o}.${why ? ` ${why}` : ''}`,
  ],
  [
    /^error: command-argument value '(.*)' is invalid for argument '(.+)'\.\s*(.*)/,
    (v, a, why) => `valeur ${quoted(v)} invalide pour l'argument ${quoted(a)}.${why ? ` ${why}` : ''}`,
  ],
];

/** Commander's suggestion line, in French. */
function suggestion(text: string): string {
  return text
    .replace(/\(Did you mean one of (.+)\?\)/, '(vouliez-vous dire l’une de ces commandes : $1 ?)')
    .replace(/\(Did you mean (.+)\?\)/, '(vouliez-vous dire $1 ?)');
}

/** One error of commander, in French, prefixed « Erreur : ». */
export function frenchCommanderError(str: string): string {
  const [first, ...rest] = str.split('\n');
  let line = first.replace(/^error: /, '');
  for (const [re, render] of ERRORS) {
    const m = re.exec(first);
    if (m) {
      line = render(...m.slice(1).map((s) => s ?? ''));
      break;
    }
  }
  return [`Erreur : ${line}`, ...rest.map(suggestion)].join('\n');
}

/** Commander's help text with French headings. */
export function frenchHelp(text: string): string {
  return text
    .replace(/^Usage:/m, 'Utilisation :')
    .replace(/^Arguments:$/m, 'Arguments :')
    .replace(/^Options:$/m, 'Options :')
    .replace(/^Global Options:$/m, 'Options globales :')
    .replace(/^Commands:$/m, 'Commandes :')
    .replace(/\[command\]/g, '[commande]')
    .replace(/\(default: /g, '(défaut : ')
    .replace(/\(choices: /g, '(choix : ')
    .replace(/\(env: /g, '(variable : ');
}
