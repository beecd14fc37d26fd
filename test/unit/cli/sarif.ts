// Structural checks of a SARIF 2.1.0 log: the properties the OASIS schema
// requires (and code-scanning uploads rely on), with their types.
import { strict as assert } from 'node:assert';

type J = Record<string, unknown>;
const isObj = (x: unknown): x is J => !!x && typeof x === 'object' && !Array.isArray(x);
const LEVELS = ['none', 'note', 'warning', 'error'];

function assertMessage(m: unknown, where: string): void {
  assert.ok(isObj(m), `${where}: message must be an object`);
  assert.ok(typeof m.text === 'string' && m.text.length > 0, `${where}: message.text`);
}

function assertPhysical(p: unknown, where: string): void {
  assert.ok(isObj(p), `${where}: physicalLocation`);
  assert.ok(isObj(p.artifactLocation), `${where}: artifactLocation`);
  const uri = p.artifactLocation.uri;
  assert.ok(typeof uri === 'string' && uri.length > 0, `${where}: artifactLocation.uri`);
  assert.doesNotThrow(() => new URL(uri, 'file:///base/'), `${where}: uri '${uri}' is not a URI reference`);
  assert.doesNotMatch(uri, /\\/, `${where}: backslash in uri`);
  const r = p.region;
  assert.ok(isObj(r), `${where}: region`);
  for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn']) {
    assert.ok(
      Number.isInteger(r[k]) && (r[k] as number) >= 1,
      `${where}: region.${k} must be an integer >= 1, got ${JSON.stringify(r[k])}`,
    );
  }
  const rr = r as Record<string, number>;
  assert.ok(
    rr.endLine > rr.startLine || (rr.endLine === rr.startLine && rr.endColumn >= rr.startColumn),
    `${where}: region ends before it starts`,
  );
}

export function assertSarif(log: unknown): void {
  assert.ok(isObj(log));
  assert.equal(log.version, '2.1.0');
  if (log.$schema !== undefined)
    assert.ok(typeof log.$schema === 'string' && /sarif-2\.1\.0/.test(log.$schema), '$schema names SARIF 2.1.0');
  assert.ok(Array.isArray(log.runs) && log.runs.length >= 1, 'runs');
  for (const run of log.runs as unknown[]) {
    assert.ok(isObj(run) && isObj(run.tool) && isObj(run.tool.driver), 'runs[].tool.driver');
    const driver = run.tool.driver;
    assert.ok(typeof driver.name === 'string' && driver.name.length > 0, 'tool.driver.name');
    const rules = (driver.rules ?? []) as unknown[];
    assert.ok(Array.isArray(rules));
    const ids = new Set<string>();
    for (const rule of rules) {
      assert.ok(isObj(rule) && typeof rule.id === 'string', 'rule.id');
      assert.ok(!ids.has(rule.id), `one rule per code: ${rule.id} twice`);
      ids.add(rule.id);
      if (rule.shortDescription !== undefined) assertMessage(rule.shortDescription, `rule ${rule.id} shortDescription`);
      if (isObj(rule.defaultConfiguration) && rule.defaultConfiguration.level !== undefined)
        assert.ok(LEVELS.includes(rule.defaultConfiguration.level as string));
    }
    assert.ok(Array.isArray(run.results), 'runs[].results');
    (run.results as unknown[]).forEach((res, i) => {
      const where = `results[${i}]`;
      assert.ok(isObj(res));
      assertMessage(res.message, where);
      assert.ok(typeof res.ruleId === 'string', `${where}: ruleId`);
      assert.ok(ids.has(res.ruleId), `${where}: ruleId ${res.ruleId} has no rule`);
      if (res.ruleIndex !== undefined) {
        assert.ok(Number.isInteger(res.ruleIndex) && (res.ruleIndex as number) >= 0);
        assert.equal(
          (rules[res.ruleIndex as number] as J).id,
          res.ruleId,
          `${where}: ruleIndex points at another rule`,
        );
      }
      if (res.level !== undefined) assert.ok(LEVELS.includes(res.level as string), `${where}: level`);
      assert.ok(Array.isArray(res.locations) && res.locations.length >= 1, `${where}: locations`);
      for (const loc of res.locations as unknown[]) {
        assert.ok(isObj(loc));
        assertPhysical(loc.physicalLocation, where);
      }
      if (res.relatedLocations !== undefined) {
        const seen = new Set<number>();
        for (const rl of res.relatedLocations as unknown[]) {
          assert.ok(isObj(rl));
          if (rl.id !== undefined) {
            assert.ok(Number.isInteger(rl.id) && !seen.has(rl.id as number));
            seen.add(rl.id as number);
          }
          if (rl.message !== undefined) assertMessage(rl.message, `${where} related`);
          assertPhysical(rl.physicalLocation, `${where} related`);
        }
      }
    });
  }
}
