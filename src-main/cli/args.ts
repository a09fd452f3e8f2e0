// One place for the CLI's numeric options: parse, check the range, and say which option was wrong
// (InputError naming `--option`, exit 2), instead of each command's own Number() and checks.
import { InputError } from '../../src-core/errors';

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
  /** Strictly above this (e.g. 0 for "positive": a pixel scale, a FWHM). */
  above?: number;
}

/** The number an option gives, or undefined when it was not given. */
export function numberOption(values: Record<string, unknown>, name: string, rule: NumberRule = {}): number | undefined {
  const raw = values[name];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const text = String(raw).trim();
  const v = Number(text);
  const what = rule.integer ? 'an integer' : 'a number';
  const range = rule.min !== undefined && rule.max !== undefined ? ` in [${rule.min}, ${rule.max}]` : rule.min !== undefined ? ` ≥ ${rule.min}` : rule.max !== undefined ? ` ≤ ${rule.max}` : '';
  const above = rule.above === undefined ? '' : rule.above === 0 ? ' > 0' : ` > ${rule.above}`;
  if (text === '' || !Number.isFinite(v) || (rule.integer && !Number.isInteger(v)) || (rule.min !== undefined && v < rule.min) || (rule.max !== undefined && v > rule.max) || (rule.above !== undefined && !(v > rule.above))) {
    throw new InputError('INPUT_INVALID', `--${name} expects ${what}${range}${above}, got '${text}'`, { option: `--${name}` });
  }
  return v;
}

/** As numberOption, with a default when the option is absent. */
export function numberOptionOr(values: Record<string, unknown>, name: string, fallback: number, rule: NumberRule = {}): number {
  return numberOption(values, name, rule) ?? fallback;
}

/** A comma-separated list of numbers (`--k 10,50,100`). */
export function numberListOption(values: Record<string, unknown>, name: string, rule: NumberRule = {}): number[] | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  return String(raw)
    .split(',')
    .map((part) => numberOption({ [name]: part }, name, rule)!)
    .filter((v) => v !== undefined);
}
