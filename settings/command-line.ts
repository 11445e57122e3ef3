// Flag parsing shared by the project's command lines: a bad value gets a UsageError naming the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PROFILES, type Profile } from '../contract/openapi.ts';
import { nearest } from './typos.ts';

export class UsageError extends Error {}

export function integerFlag(flag: string, text: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max)
    throw new UsageError(`${flag} must be an integer from 0 to ${max}; got '${text}'`);
  return Number(text);
}

export function portFlag(flag: string, text: string): number {
  return integerFlag(flag, text, 65535);
}

export function profileFlag(flag: string, text: string): Profile {
  if (!(PROFILES as readonly string[]).includes(text))
    throw new UsageError(`${flag} must be one of ${PROFILES.join(', ')}; got '${text}'`);
  return text as Profile;
}

/** The exit codes of the package's command: what a pipeline branches on. */
export const EXIT = { passed: 0, failed: 1, usage: 2, incomplete: 3, aborted: 4 } as const;

/** parseArgs' message for an unknown or malformed option, as one line naming what was typed. */
export function parseError(e: Error, known: readonly string[]): UsageError {
  const unknown = /Unknown option '([^']+)'/.exec(e.message)?.[1];
  if (unknown) {
    const guess = nearest(unknown, known);
    return new UsageError(`unknown flag ${unknown}${guess ? `; did you mean ${guess}?` : ''}`);
  }
  const missing = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(e.message)?.[1];
  if (missing) return new UsageError(`${missing} needs a value`);
  return new UsageError(e.message.split('\n')[0]);
}

/** parseArgs with its errors as one line naming the flag (and the nearest of `known` for a typo). */
export function parsedArgs<T extends ParseArgsConfig>(
  config: T,
  known: readonly string[],
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw parseError(e as Error, known);
  }
}
