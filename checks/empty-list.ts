// How the checks of an empty list start: by deleting a list that holds something (DELETE of an empty
// list is a SHOULD of its own, DELETE-IDEMPOTENT), so that the DELETE's answer is DELETE-200's.
import type { Builders } from '../fixtures/builders.ts';
import type { ProviderApi } from '../client/api.ts';
import { statusIs } from '../verdicts/assertions.ts';

/** Empties the list of `api`'s bot. */
export async function emptied(api: ProviderApi, make: Builders): Promise<void> {
  statusIs('POST-VALID-200', await api.post(make.provider('bearer')));
  statusIs('DELETE-200', await api.clear());
}
