// Names a collation, a normaliser or a column type would merge or change (generation/wire.ts). Every
// member is posted with a config of its own; each one taken must come back once, under its exact name,
// with its own config. The families hold fixed names ('007'), so the check (NAME-EXACT's, in
// tests/upsert.spec.ts) needs the whole list and clears it after.
import { readAfter, sent } from '../fixtures/sending.ts';
import { clearUp } from '../fixtures/clear-up.ts';
import { markedProvider, nameFamilies } from '../generation/wire.ts';
import { judgeAnswer } from '../driver/post-answer.ts';
import { judge } from '../model/rules.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { entriesNamed, type ProviderList } from '../verdicts/provider-list.ts';
import { fail, Findings } from '../verdicts/failure.ts';
import { shown } from '../verdicts/difference.ts';
import type { Body } from '../fixtures/rule.ts';

export const namesKeptApart: Body = async ({ api, make, read, settings, secrets }, testInfo) => {
  const findings = new Findings();
  // A name two families share is posted once: posted again it would be a reused name, the upsert rules' subject.
  const postedBefore = new Set<string>();
  try {
    for (const family of nameFamilies(make.name())) {
      const posted: { name: string; marker: string }[] = [];
      for (const name of family.names) {
        if (postedBefore.has(name)) continue;
        postedBefore.add(name);
        const marker = make.secret();
        const provider = markedProvider(name, marker);
        const text = JSON.stringify(provider);
        const what = `POST of the name ${shown(name)} (${family.what})`;
        const x = await sent(findings, what, () => api.postText(text));
        let taken = false;
        await findings.check(() => {
          taken = judgeAnswer({ text, body: provider, verdict: judge(settings.profile, provider), name }, x, what);
        }, what);
        if (taken) posted.push({ name, marker });
      }
      const list = await readAfter(
        read,
        `the POSTs of the names ${family.names.map(shown).join(', ')} (${family.what})`,
        findings,
      );
      for (const { name, marker } of posted)
        await findings.check(() => keptApart(list, name, marker, posted, family.rule, family.what), family.what);
    }
  } finally {
    await clearUp({ api, secrets }, testInfo);
  }
  findings.throwIfAny();
};

/** The name is listed once, exactly, with its own config; where it went instead is named. */
function keptApart(
  list: ProviderList,
  name: string,
  marker: string,
  family: { name: string; marker: string }[],
  ruleId: RuleId,
  what: string,
): void {
  const carrying = list.providers.filter((p) => JSON.stringify(p.config ?? {}).includes(marker));
  const found = entriesNamed(list, name);
  if (found.length > 1) fail('UPSERT-NO-DUPLICATE', `GET lists ${shown(name)} ${found.length} times`);
  if (found.length === 0) {
    const as = carrying.find((p) => p.name !== name);
    fail(
      ruleId,
      as
        ? `the name ${shown(name)} was changed: GET lists its provider as ${shown(String(as.name))} (${what})`
        : `the name ${shown(name)} was taken (200) but GET does not list it: it was merged with another name of its family (${what})`,
    );
  }
  if ((found[0].config as { bearer?: unknown }).bearer !== marker) {
    const other = family.find((m) => m.name !== name && (found[0].config as { bearer?: unknown }).bearer === m.marker);
    fail(
      ruleId,
      other
        ? `${shown(name)} and ${shown(other.name)} were merged into one provider: ${shown(name)} lists the config posted under ${shown(other.name)} (${what})`
        : `${shown(name)} does not list the config posted under it (${what})`,
    );
  }
}
