export * from './types';
export {
  mapAttribute,
  SUPPORTED_ATTRIBUTE_TYPES,
  MISSING_TYPE,
  MAX_VALUE_BYTES,
  MAX_URL_BYTES,
} from './mapping';
export type { SupportedAttributeType } from './mapping';
export { iocKey, parseIocKey, IOC_KEY_SEPARATOR } from './keys';
export { Batcher, batchByFormat } from './batcher';
export { SkipTally, formatInvalidValuesWarning, MAX_EXAMPLES } from './tally';
export type { SkipExample } from './tally';
export { formatCounts, formatCountsByFormat, addFormatCount } from './summary';
