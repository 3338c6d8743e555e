/** Collects Markdown blocks under heading paths, then assembles the body and its sections. */
import type { Section } from '../../model.js';

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class SectionWriter {
  private readonly sections: { path: string[]; blocks: string[] }[] = [];
  private path: string[] = [];

  private lastWasItem = false;

  add(block: string): void {
    if (!block.trim()) return;
    const last = this.sections.at(-1);
    if (last && samePath(last.path, this.path)) last.blocks.push(block);
    else this.sections.push({ path: [...this.path], blocks: [block] });
    this.lastWasItem = false;
  }

  /** Adds a list item; consecutive items at the same path form one tight list. */
  addItem(item: string): void {
    const last = this.sections.at(-1);
    if (this.lastWasItem && last && samePath(last.path, this.path)) {
      last.blocks[last.blocks.length - 1] += `\n${item}`;
    } else {
      this.add(item);
      this.lastWasItem = item.trim() !== '';
    }
  }

  /** Runs `fn` one heading deeper (no-op heading when the label is empty). */
  within(label: string, fn: () => void): void {
    if (!label) return fn();
    this.path.push(label);
    try {
      fn();
    } finally {
      this.path.pop();
    }
  }

  /** Runs `fn` at an absolute path (top-level blocks such as "Où s'adresser"). */
  at(path: string[], fn: () => void): void {
    const saved = this.path;
    this.path = [...path];
    try {
      fn();
    } finally {
      this.path = saved;
    }
  }

  /** Body Markdown (headings from `##`, the title being `#`) and sections; no empty heading. */
  result(): { markdown: string; sections: Section[] } {
    const parts: string[] = [];
    let shown: string[] = [];
    const sections: Section[] = [];
    for (const s of this.sections) {
      let common = 0;
      while (common < s.path.length && common < shown.length && s.path[common] === shown[common]) common++;
      // Text that returns to a parent after a sub-heading (a paragraph between two case blocks)
      // would read as part of that sub-heading: repeat the parent heading, or rule off at the top.
      const back = common === s.path.length && shown.length > s.path.length;
      if (back && s.path.length === 0) parts.push('---');
      const from = back && s.path.length > 0 ? s.path.length - 1 : common;
      for (let d = from; d < s.path.length; d++) {
        parts.push(`${'#'.repeat(Math.min(d + 2, 6))} ${s.path[d]}`);
      }
      shown = s.path;
      const markdown = s.blocks.join('\n\n');
      parts.push(markdown);
      const prev = sections.at(-1);
      if (prev && samePath(prev.path, s.path)) prev.markdown += `\n\n${markdown}`;
      else sections.push({ path: s.path, markdown });
    }
    return { markdown: parts.join('\n\n'), sections };
  }
}
