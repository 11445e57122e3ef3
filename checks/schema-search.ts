// Generated data from the contract's schemas: providers of every shape the schema allows, with
// strings of every length and alphabet, must come back exactly (a check of GET-CONFIG-ROUNDTRIP, in
// tests/get.spec.ts); bodies that break one constraint of the schema must be refused and change
// nothing (POST-400-NO-CHANGE's, in tests/post.spec.ts). Names come from a pool of each check's own.
// docs/rules.md: "Generated checks: the rules as a model".
import { clearUp } from '../fixtures/clear-up.ts';
import type { Provider } from '../contract/provider.ts';
import { stored } from '../model/rules.ts';
import { RULES } from '../rules/catalogue.ts';
import { judgeAnswer } from '../driver/post-answer.ts';
import { fail } from '../verdicts/failure.ts';
import { sameValue } from '../verdicts/difference.ts';
import type { Body } from '../fixtures/rule.ts';

/** Every rule that decides the refusal of a constraint of the schema: the invalid bodies' search covers them all. */
export const REFUSING = RULES.filter((r) => r.refuses).map((r) => r.id);

export const generatedProvidersComeBack: Body = async ({ explore, secrets }) => {
  const { valid } = explore.sources();
  await explore.search([valid], async (t, post) => {
    // A body the rules leave open may be refused; one that is taken must come back exactly.
    const x = await t.step(
      () => `POST ${JSON.stringify(post.name ?? '')} (${post.verdict.kind})`,
      () => t.send('POST', () => t.client('first').postText(post.text)),
    );
    if (!judgeAnswer(post, x, 'POST')) return;
    const expected = stored(post.body as Provider);
    const list = await t.step(
      () => 'GET the list',
      () => t.read('first'),
    );
    const found = list.providers.filter((p) => p.name === expected.name);
    if (found.length !== 1)
      fail(
        found.length ? 'UPSERT-NO-DUPLICATE' : 'GET-READ-AFTER-WRITE',
        `GET lists ${JSON.stringify(expected.name)} ${found.length} times right after its POST answered 200`,
      );
    sameValue(
      'GET-CONFIG-ROUNDTRIP',
      { name: found[0].name, type: found[0].type, config: found[0].config },
      expected,
      `the entry ${JSON.stringify(expected.name)}`,
      secrets,
    );
  });
};

export const generatedBodiesRefused: Body = async ({ explore, api, secrets }, testInfo) => {
  const { invalid, pool } = explore.sources();
  // A body taken stays in the list: the run after it starts by emptying the list (a step of its
  // sequence), or its GET would blame its own refused POST for what the taken one wrote.
  let taken = false;
  try {
    await explore.search([invalid], async (t, post) => {
      if (taken) {
        await t.step(
          () => 'DELETE the list, which a body taken in an earlier run wrote to',
          async () => {
            const x = await t.send("DELETE of the first bot's list", () => t.client('first').clear());
            const left = (await t.read('first', true)).providers.length;
            if (left)
              fail(
                'DELETE-EMPTIES',
                `GET of the first bot's list still lists ${left} provider(s) after DELETE answered ${x.received.status}`,
              );
          },
        );
        taken = false;
      }
      const x = await t.step(
        () => `POST a body that breaks ${post.breaks}`,
        () => t.send('POST', () => t.client('first').postText(post.text)),
      );
      taken = x.received.status < 300;
      judgeAnswer(post, x, 'POST');
      // No name of this check's pool is ever posted validly: any of them listed was written by a refused POST.
      const list = await t.step(
        () => 'GET the list',
        () => t.read('first'),
      );
      const written = list.providers.find((p) => pool.includes(p.name));
      if (written)
        fail('POST-400-NO-CHANGE', `GET lists ${JSON.stringify(written.name)}, which only a POST answered 400 carried`);
    });
  } finally {
    if (taken) await clearUp({ api, secrets }, testInfo);
  }
};
