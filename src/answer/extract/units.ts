/**
 * A source's passages (Markdown, as given to a model) → the units an extract can quote: whole
 * sentences, list items (with their list and its order), table rows read with their header, and
 * records of a record set (a CSV row, a JSON object). Navigation (related pages, link lists),
 * headings and titles are not units: they are context.
 */

export type UnitKind = 'sentence' | 'item' | 'row' | 'record';

export interface Unit {
  /** Plain text as quoted: no Markdown marks, link targets or footnote stars. */
  text: string;
  kind: UnitKind;
  /** The passage's section path (fiche chapters, cases, situations). */
  path: string[];
  /** The nearest heading inside the passage, or the path's last label. */
  heading: string;
  /** Items of one list share an id (-1 outside lists); `ordered` for numbered lists and steps. */
  list: number;
  ordered: boolean;
  /** Order of the unit within its source. */
  order: number;
  /** A sentence ending with ":" that introduces the list after it. */
  intro: boolean;
  /** Navigation or a heading-like line: context, never quoted. */
  quotable: boolean;
  /** Words around the unit that say what it is about: path, heading, a table's header. */
  context: string;
  /** A record's fields, in order (record sets: a CSV row, a JSON object). */
  fields?: { key: string; value: string }[];
}

const NAVIGATION =
  /voir aussi|pour en savoir plus|questions \? réponses|comment faire si|liens utiles|textes de référence|autres services en ligne|services en ligne et formulaires|et aussi/i;
const ITEM = /^(\s*)(?:[-*+•]|(\d{1,2})[.)])\s+(.*)$/;
const STEP = /^(?:étape|etape)\s+\d+\b/i;
const FIELD = /^\p{Lu}[\p{L}\d _'’()/-]{0,40}? : \S/u;
/** A sentence ends here unless the word before the period is an abbreviation or an initial. */
const ABBREVIATION =
  /(?:^|[\s(])(?:\p{Lu}|art|etc|cf|tél|av|bd|n°|m|mme|mlle|dr|st|ste|p|env|min|max|ex|réf|vol|éd|nº|chap|al|coll|ann|hab|sq|fig)\.$/iu;
/** Words a sentence cannot end with: text ending with one was cut. */
export const OPEN_END =
  /(?:[,(«“'’-]|(?:^|\s)(?:le|la|les|de|du|des|à|au|aux|par|pour|en|et|ou|un|une|sur|avec|dans|sans|chez|que|qui|dont|son|sa|ses|leur|leurs|ce|cette|ces|entre|vers|selon|si|ni|mais|car))$/u;

/** Inline Markdown → plain text: links to their text, emphasis, escapes and footnote stars removed. */
export function plainInline(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>])/g, '$1')
    .replace(/\*{1,3}|__|`/g, '')
    .replace(/(^|\s)_([^_]+)_(?=\s|$|[.,;:])/g, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Splits a line of prose into sentences (not after abbreviations, initials or numbers). */
export function splitSentences(line: string): string[] {
  const parts = line.split(/(?<=[.!?…])\s+(?=[«"“(\p{Lu}\d])/u);
  const out: string[] = [];
  for (const part of parts) {
    const prev = out[out.length - 1];
    if (prev !== undefined && (ABBREVIATION.test(prev) || (/\d\.$/.test(prev) && /^\d/.test(part))))
      out[out.length - 1] = `${prev} ${part}`;
    else out.push(part);
  }
  return out.map((s) => s.trim()).filter(Boolean);
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => plainInline(c).replace(/\s\*+$/, ''));
}

/** A table row read with its header: "Jeudi — Matin : 8h30 – 12h15 ; Après-midi : 13h30 – 19h00". */
function rowText(header: string[], cells: string[]): string {
  const filled = cells.map((c, i) => ({ c, h: header[i] ?? '' })).filter((x) => x.c && x.c !== '-');
  if (filled.length === 0) return '';
  if (!header.length || filled.length === 1) return filled.map((x) => x.c).join(' ; ');
  const [first, ...rest] = filled;
  return `${first.c} — ${rest.map((x) => (x.h ? `${x.h} : ${x.c}` : x.c)).join(' ; ')}`;
}

/** The section path given as "(a › b) " in front of a passage, and the passage without it. */
export function splitPath(passage: string): { path: string[]; body: string } {
  const m = /^\(([^()\n]*(?:\([^()\n]*\)[^()\n]*)*)\)\s+/.exec(passage);
  if (!m) return { path: [], body: passage };
  return { path: m[1].split(' › ').map((s) => s.trim()), body: passage.slice(m[0].length) };
}

/** Units of recent passages: the same fiches come back question after question. */
const CACHE = new Map<string, Unit[]>();
const CACHE_SIZE = 5000;

/** The units of a source's passages, in reading order. */
export function unitsOf(passages: string[]): Unit[] {
  const units: Unit[] = [];
  passages.forEach((passage, p) => {
    let own = CACHE.get(passage);
    if (own) {
      CACHE.delete(passage);
    } else {
      own = passageUnits(passage);
      if (CACHE.size >= CACHE_SIZE) CACHE.delete(CACHE.keys().next().value!);
    }
    CACHE.set(passage, own);
    const base = units.length;
    for (const u of own)
      units.push({ ...u, order: base + u.order, list: u.list < 0 ? -1 : p * 10_000 + u.list });
  });
  return units;
}

function passageUnits(passage: string): Unit[] {
  const units: Unit[] = [];
  let listId = 0;
  {
    const { path, body } = splitPath(passage);
    const navigation = path.some((p) => NAVIGATION.test(p));
    let heading = path[path.length - 1] ?? '';
    const lines = body.replace(/\r/g, '').split('\n');
    let currentList = -1;
    let currentOrdered = false;
    const push = (
      u: Omit<Unit, 'path' | 'heading' | 'order' | 'quotable' | 'context'> & {
        quotable?: boolean;
        context?: string;
      },
    ) => {
      units.push({
        ...u,
        path,
        heading,
        context: `${path.join(' ')} ${heading} ${u.context ?? ''}`,
        order: units.length,
        quotable: (u.quotable ?? true) && !navigation && !NAVIGATION.test(heading),
      });
    };
    // A JSON object: every line is "Field : value", with no blank line or heading between.
    const filled = lines.filter((l) => l.trim());
    if (filled.length >= 3 && filled.length === lines.length && filled.every((l) => FIELD.test(l.trim()))) {
      const fields = filled.map((l) => {
        const [key, ...rest] = plainInline(l).split(' : ');
        return { key, value: rest.join(' : ') };
      });
      const text = fields.map((f) => `${f.key} : ${f.value}`).join(' ; ');
      push({ text, kind: 'record', list: -1, ordered: false, intro: false, fields });
      return units;
    }
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i];
      const line = raw.trim();
      if (!line) {
        currentList = -1;
        continue;
      }
      const atx = /^#{1,6}\s+(.*)$/.exec(line);
      if (atx) {
        heading = plainInline(atx[1]);
        currentList = -1;
        continue;
      }
      if (/^\*\*[^*]+\*\*:?$/.test(line) || /^__[^_]+__$/.test(line)) {
        heading = plainInline(line).replace(/^(Cas|Situation) : /, '');
        currentList = -1;
        continue;
      }
      if (line.startsWith('|')) {
        const block: string[] = [];
        while (i < lines.length && lines[i].trim().startsWith('|')) block.push(lines[i++].trim());
        i--;
        const sep = block.findIndex((l) => /^\|?\s*:?-{3,}/.test(l));
        const header = sep === 1 ? splitRow(block[0]) : [];
        const rows = (sep === 1 ? block.slice(2) : block.filter((l) => !/^\|?\s*:?-{3,}/.test(l))).map(
          splitRow,
        );
        for (const cells of rows) {
          const text = rowText(header, cells);
          if (text)
            push({ text, kind: 'row', list: -1, ordered: false, intro: false, context: header.join(' ') });
        }
        currentList = -1;
        continue;
      }
      // A CSV row rendered "Field : value ; Field : value ; …": one record.
      if ((line.match(/ ; /g) ?? []).length >= 2 && (line.match(/ : /g) ?? []).length >= 3) {
        const text = plainInline(line);
        const fields = text.split(' ; ').map((part) => {
          const [key, ...rest] = part.split(' : ');
          return rest.length ? { key, value: rest.join(' : ') } : { key: '', value: key };
        });
        push({ text, kind: 'record', list: -1, ordered: false, intro: false, fields });
        continue;
      }
      const item = ITEM.exec(raw);
      if (item || STEP.test(line)) {
        let text = item ? item[3] : line;
        while (i + 1 < lines.length && /^\s{2,}\S/.test(lines[i + 1]) && !ITEM.test(lines[i + 1]))
          text += ` ${lines[++i].trim()}`;
        const ordered = Boolean(item?.[2]) || STEP.test(line);
        if (currentList < 0 || currentOrdered !== ordered) {
          currentList = ++listId;
          currentOrdered = ordered;
        }
        // An item that is only a link (a related page, an online service) is navigation.
        const linkOnly = /^(?:\*\*[^*]+\*\*\s*)?\[[^\]]+\]\([^)]+\)(?:\s*[—–-]\s*[^.]*)?\.?$/.test(
          text.trim(),
        );
        const plain = plainInline(text);
        push({ text: plain, kind: 'item', list: currentList, ordered, intro: false, quotable: !linkOnly });
        continue;
      }
      currentList = -1;
      const quote = line.replace(/^>\s*/, '');
      // A bare value under its heading ("Taxe de gestion" / "4 €") reads as "Taxe de gestion : 4 €".
      const bare = plainInline(quote);
      if (bare.length < 20 && /\d/.test(bare) && heading && heading.length <= 80) {
        push({ text: `${heading} : ${bare}`, kind: 'sentence', list: -1, ordered: false, intro: false });
        continue;
      }
      for (const sentence of splitSentences(plainInline(quote).replace(/^[-–•*\s]+/, ''))) {
        push({ text: sentence, kind: 'sentence', list: -1, ordered: false, intro: /:$/.test(sentence) });
      }
    }
  }
  return units;
}
