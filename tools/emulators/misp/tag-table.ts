/** One tag known to the emulator, with its restSearch JSON built once. */
export interface TagRecord {
  id: number;
  name: string;
  colour: string;
  /** As in an attribute's own Tag[]. */
  json: string;
  /** As an event tag copied into an attribute's Tag[] by includeEventTags. */
  inheritedJson: string;
}

/** Tags by name. MySQL compares tag names case-insensitively, so does this table. */
export class TagTable {
  readonly records: TagRecord[] = [];
  private readonly byName = new Map<string, number>();

  /** The index of `name`, added on first sight. */
  index(name: string, colour = '#0088cc'): number {
    const key = name.toLowerCase();
    const known = this.byName.get(key);
    if (known !== undefined) return known;
    const id = this.records.length + 1;
    const base = `"id":"${id}","name":${JSON.stringify(name)},"colour":${JSON.stringify(colour)}`;
    const isGalaxy = name.startsWith('misp-galaxy:');
    this.records.push({
      id,
      name,
      colour,
      json: `{${base},"numerical_value":null,"is_galaxy":${isGalaxy},"local":false}`,
      inheritedJson:
        `{${base},"exportable":true,"org_id":"0","user_id":"0","hide_tag":false,"numerical_value":null,` +
        `"is_galaxy":${isGalaxy},"is_custom_galaxy":false,"inherited":1}`,
    });
    this.byName.set(key, this.records.length - 1);
    return this.records.length - 1;
  }

  /** Indexes of the tags matching a MISP tag filter term: exact (any case) or a LIKE with `%`. */
  matching(term: string): Set<number> {
    const out = new Set<number>();
    if (!term.includes('%')) {
      const index = this.byName.get(term.toLowerCase());
      if (index !== undefined) out.add(index);
      return out;
    }
    const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*');
    const pattern = new RegExp(`^${escaped}$`, 'is');
    this.records.forEach((record, index) => {
      if (pattern.test(record.name)) out.add(index);
    });
    return out;
  }
}
