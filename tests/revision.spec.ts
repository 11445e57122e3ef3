// The 2020-03-10 revision's name rule: only A-Z, a-z, '-' and '_', at most 200 characters.
// Runs only with CONFORMANCE_PROFILE=2020-03-10. docs/rules.md: "Profiles".
import { forEachTarget, test } from '../fixtures/conformance.ts';
import { rule } from '../fixtures/rule.ts';
import { entriesNamed, theEntry } from '../verdicts/provider-list.ts';
import { fail } from '../verdicts/failure.ts';
import { jsonObjectBody, statusIs } from '../verdicts/assertions.ts';

const OUTSIDE = [
  ['a digit', '7'],
  ['a space', ' '],
  ['a dot', '.'],
  ['an accented letter', 'é'],
  ['a slash', '/'],
];

// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(() => {
  for (const [what, character] of OUTSIDE) {
    test(
      ...rule(
        'REV-NAME-CHARSET',
        `a name holding ${what} gets 400 and is not listed`,
        async ({ api, make, read }) => {
          const provider = make.provider('bearer');
          provider.name = `${provider.name}${character}x`;
          const answer = await api.post(provider);
          statusIs('REV-NAME-CHARSET', answer);
          jsonObjectBody('ERROR-400-JSON', answer);
          if (entriesNamed(await read(), provider.name).length)
            fail('REV-NAME-CHARSET', `'${provider.name}' answered 400 yet is listed`);
        },
        { also: ['ERROR-400-JSON'], stateless: true },
      ),
    );
  }

  test(
    ...rule(
      'REV-NAME-LENGTH',
      'a name of 201 characters gets 400 and is not listed',
      async ({ api, make, read }) => {
        const name = make.name().padEnd(201, 'x').slice(0, 201);
        const answer = await api.post(make.provider('basic', name));
        statusIs('REV-NAME-LENGTH', answer);
        if (entriesNamed(await read(), name).length)
          fail('REV-NAME-LENGTH', 'a 201-character name answered 400 yet is listed');
      },
      { stateless: true },
    ),
  );

  test(
    ...rule(
      'REV-NAME-LENGTH',
      'a name of exactly 200 characters gets 200 and is listed',
      async ({ api, make, read }) => {
        const provider = make.provider('basic', make.name().padEnd(200, 'y').slice(0, 200));
        statusIs('REV-NAME-LENGTH', await api.post(provider), 'POST-VALID-200');
        theEntry('REV-NAME-LENGTH', await read(), provider.name);
      },
    ),
  );
});
