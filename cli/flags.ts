// Flag parsing shared by the project's command lines: a bad value gets a UsageError naming the flag.
import { PROFILES, type Profile } from '../contract/openapi.ts';

export class UsageError extends Error {}

export function integerFlag(flag: string, text: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) throw new UsageError(`${flag} must be an integer from 0 to ${max}; got '${text}'`);
  return Number(text);
}

export function portFlag(flag: string, text: string): number {
  return integerFlag(flag, text, 65535);
}

export function profileFlag(flag: string, text: string): Profile {
  if (!(PROFILES as readonly string[]).includes(text)) throw new UsageError(`${flag} must be one of ${PROFILES.join(', ')}; got '${text}'`);
  return text as Profile;
}
