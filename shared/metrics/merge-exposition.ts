/**
 * Concatenating several Prometheus text expositions (one per BullMQ queue)
 * would repeat each family's HELP/TYPE lines and split its samples, which
 * Prometheus rejects. This regroups samples under one header per family.
 */
export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, { help?: string; type?: string; samples: string[] }>();
  for (const text of texts) {
    let current = '';
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const header = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (header) {
        current = header[2] as string;
        const fam = families.get(current) ?? { samples: [] };
        if (header[1] === 'HELP') fam.help ??= line;
        else fam.type ??= line;
        families.set(current, fam);
        continue;
      }
      if (line.startsWith('#')) continue;
      const name = /^[^{\s]+/.exec(line)?.[0] ?? '';
      const key = families.has(current) && name.startsWith(current) ? current : name;
      const fam = families.get(key) ?? { samples: [] };
      fam.samples.push(line);
      families.set(key, fam);
    }
  }
  const out: string[] = [];
  for (const fam of families.values()) {
    if (fam.help) out.push(fam.help);
    if (fam.type) out.push(fam.type);
    out.push(...fam.samples);
  }
  return out.join('\n') + '\n';
}
