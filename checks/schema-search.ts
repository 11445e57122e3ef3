// Generated data from the contract's schemas: providers of every shape the schema allows, with
// strings of every length and alphabet, must come back exactly (a check of GET-CONFIG-ROUNDTRIP, in
// tests/get.spec.ts); bodies that break one constraint of the schema must be refused and change
// nothing (POST-400-NO-CHANGE's, in tests/post.spec.ts). Names come from a pool of each run's own.
// docs/rules.md: "Generated checks: the rules as a model".
import fc from 'fast-check';
import { clearUp } from '../fixtures/clear-up.ts';
import type { GeneratedPost } from '../generation/providers.ts';
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
  await explore.search<[GeneratedPost]>({
    generate: ({ valid }) => [valid],
    plan: (post) => ({ names: post.name === undefined ? [] : [post.name], emptiesList: [false, false] }),
    body: async (t, post) => {
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
    },
  });
};

export const generatedBodiesRefused: Body = async ({ explore, api, secrets }, testInfo) => {
  // A body taken stays in the list; each run's names are its own, so no other run blames it on its refused POST.
  let taken = false;
  try {
    await explore.search<[GeneratedPost, string[]]>({
      generate: ({ invalid, pool }) => [invalid, fc.constant(pool)],
      plan: (post) => ({ names: post.name === undefined ? [] : [post.name], emptiesList: [false, false] }),
      body: async (t, post, pool) => {
        const x = await t.step(
          () => `POST a body that breaks ${post.breaks}`,
          () => t.send('POST', () => t.client('first').postText(post.text)),
        );
        if (x.received.status < 300) taken = true;
        judgeAnswer(post, x, 'POST');
        // No name of this run's pool is ever posted validly: any of them listed was written by a refused POST.
        const list = await t.step(
          () => 'GET the list',
          () => t.read('first'),
        );
        const written = list.providers.find((p) => pool.includes(p.name));
        if (written)
          fail(
            'POST-400-NO-CHANGE',
            `GET lists ${JSON.stringify(written.name)}, which only a POST answered 400 carried`,
          );
      },
    });
  } finally {
    if (taken) await clearUp({ api, secrets }, testInfo);
  }
};
