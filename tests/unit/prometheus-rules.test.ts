// ops/prometheus/alerts.yml (issue 16): valid rules, and promtool's own unit tests of them
// (alerts.test.yml: DLQ growing, drain stalled, zero consumers fire on the metrics /api/metrics
// exports, and not while the drain moves). Needs promtool (Debian: apt-get install prometheus);
// without it the test is skipped, saying so: CI does not depend on it.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
const dir = path.join(process.cwd(), 'ops', 'prometheus');

describe.skipIf(!promtool)('prometheus alert rules (promtool)', () => {
  it('check rules and check config pass', () => {
    expect(execFileSync('promtool', ['check', 'rules', path.join(dir, 'alerts.yml')], { encoding: 'utf8' })).toContain('SUCCESS: 4 rules found');
    expect(execFileSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { encoding: 'utf8' })).toContain('SUCCESS');
  });

  it('the rules fire as alerts.test.yml expects', () => {
    expect(execFileSync('promtool', ['test', 'rules', path.join(dir, 'alerts.test.yml')], { encoding: 'utf8' })).toContain('SUCCESS');
  });
});

if (!promtool) {
  describe('prometheus alert rules', () => {
    it.skip('promtool is not installed (apt-get install prometheus): the rules are not checked here', () => {});
  });
}
