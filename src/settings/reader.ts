// Reading raw option values (action inputs or CLI flags) as typed values, with the table's
// defaults, and errors that name the input or flag and quote the bad value.

import { InputError } from '../errors.ts';
import { OPTIONS } from './options.ts';

export type RawOptions = Record<string, string | string[] | undefined>;

export class OptionReader {
  private readonly raw: RawOptions;
  readonly isAction: boolean;
  private readonly labelOf?: (name: string) => string;

  /** `labelOf` names options that came from elsewhere (a config file's `file:line: key`). */
  constructor(raw: RawOptions, isAction: boolean, labelOf?: (name: string) => string) {
    this.raw = raw;
    this.isAction = isAction;
    this.labelOf = labelOf;
  }

  /** How a message names the option: `input "x"` in the action, `--x` on the command line. */
  label(name: string): string {
    if (this.labelOf) return this.labelOf(name);
    return this.isAction ? `input "${name}"` : `--${name}`;
  }

  /** The trimmed value, else the table's default; undefined when neither is set. */
  get(name: string): string | undefined {
    const value = this.raw[name];
    const text = Array.isArray(value) ? value.join('\n') : value;
    if (text !== undefined && text.trim() !== '') return text.trim();
    return OPTIONS.find((o) => o.name === name)?.default?.replace('${{ github.token }}', '');
  }

  /** Items of a repeated flag, or of a newline- or comma-separated input. */
  list(name: string): string[] {
    const value = this.raw[name];
    const items = Array.isArray(value) ? value : (this.get(name) ?? '').split(/[\n,]/);
    return items.map((s) => s.trim()).filter(Boolean);
  }

  /** Lines of a repeated flag or a multi-line input, as given (entries may hold commas). */
  lines(name: string): string[] {
    const value = this.raw[name];
    return (Array.isArray(value) ? value : (value ?? '').split('\n')).filter((entry) => entry.trim() !== '');
  }

  bool(name: string): boolean {
    const text = (this.get(name) ?? 'false').toLowerCase();
    if (['true', 'yes', '1', 'on'].includes(text)) return true;
    if (['false', 'no', '0', 'off', ''].includes(text)) return false;
    throw new InputError(`${this.label(name)} must be true or false, not "${this.get(name)}"`);
  }

  number(name: string, min: number, max: number): number {
    const text = this.get(name) ?? '';
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InputError(`${this.label(name)} must be a whole number from ${min} to ${max}, not "${text}"`);
    }
    return value;
  }

  choice<T extends string>(name: string): T {
    const spec = OPTIONS.find((o) => o.name === name)!;
    const value = this.get(name) ?? '';
    if (!spec.choices!.includes(value)) {
      throw new InputError(`${this.label(name)} must be one of ${spec.choices!.join(', ')}, not "${value}"`);
    }
    return value as T;
  }
}
