import trigger from '../../../trigger_misp_ids_to_ioc.json';
import { SUPPORTED_ATTRIBUTE_TYPES, mapAttribute } from '../../../src/pipeline/mapping';

describe('SUPPORTED_ATTRIBUTE_TYPES', () => {
  it('equals the attribute_types enum of the trigger schema, so the form and the code cannot drift', () => {
    expect([...SUPPORTED_ATTRIBUTE_TYPES]).toEqual(trigger.arguments.properties.attribute_types.items.enum);
  });

  it('defaults to types the code supports', () => {
    const supported: readonly string[] = SUPPORTED_ATTRIBUTE_TYPES;
    for (const type of trigger.arguments.properties.attribute_types.default) {
      expect(supported).toContain(type);
    }
  });

  it('has a mapping for every supported type (none falls through as unsupported)', () => {
    const all = new Set<string>(SUPPORTED_ATTRIBUTE_TYPES);
    for (const type of SUPPORTED_ATTRIBUTE_TYPES) {
      expect(mapAttribute({ type, value: 'x' }, all).skipped?.reason).not.toBe('unsupported_type');
    }
  });
});
