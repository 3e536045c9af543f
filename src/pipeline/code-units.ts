/**
 * Classes of UTF-16 code units, for the value checks that loop over a string's characters instead
 * of matching a regex (they run for every attribute read).
 */

export const HYPHEN = 45;
export const DOT = 46;

/** 0-9 */
export const isDigit = (code: number): boolean => code >= 48 && code <= 57;
/** a-z */
export const isLowerLetter = (code: number): boolean => code >= 97 && code <= 122;
/** A-Z */
export const isUpperLetter = (code: number): boolean => code >= 65 && code <= 90;
