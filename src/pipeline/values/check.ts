import type { Ioc } from '../types';

/** The outcome of checking one value: the IOC to push, or what is wrong with it. */
export type ValueCheck = { ok: true; ioc: Ioc } | { ok: false; detail: string };

export function accepted(format: Ioc['format'], value: string): ValueCheck {
  return { ok: true, ioc: { format, value } };
}

export function refused(detail: string): ValueCheck {
  return { ok: false, detail };
}
