/**
 * The corpus's own paraphrases of a publication: the visible text of the links other publications
 * make to it ("[congé pour enfant malade](…/F151)", "[Peut-on démissionner pendant un arrêt
 * maladie ?](…/F31679)"). Each author of a link words the page in the terms of the page linking to
 * it, which is often closer to a question than the page's own title (docs/adr/0002).
 */

/** Anchors kept per target publication (the first ones met). */
export const MAX_ANCHORS = 30;

const LINK = /\[([^\]]{3,200})\]\(https?:\/\/www\.service-public\.fr\/[^)]*?\/((?:F|N|R)\d+)\)/g;

/** Links of a Markdown text to service-public.fr publications: target id and visible text. */
export function publicationLinks(markdown: string): { target: string; text: string }[] {
  return [...markdown.matchAll(LINK)].map((m) => ({
    target: m[2],
    text: m[1]
      .replace(/[*_`]+/g, '')
      .replace(/\s+/g, ' ')
      .trim()
      .toLowerCase(),
  }));
}

/** Anchor texts by target publication, gathered over a whole corpus. */
export class AnchorIndex {
  private readonly byTarget = new Map<string, Set<string>>();

  /** Records the links of one publication (links to itself are not paraphrases). */
  add(sourceId: string, markdown: string): void {
    for (const { target, text } of publicationLinks(markdown)) {
      if (target === sourceId || !text) continue;
      let set = this.byTarget.get(target);
      if (!set) this.byTarget.set(target, (set = new Set()));
      if (set.size < MAX_ANCHORS) set.add(text);
    }
  }

  /** Anchor texts of the links pointing to a publication, sorted (stable whatever the reading order). */
  of(id: string): string[] {
    return [...(this.byTarget.get(id) ?? [])].sort();
  }
}
