// The alert rules run by Prometheus itself: promtool checks alerts.yml and replays the series of
// alerts.test.yml through it. Reading the YAML (deploy-manifests.test.ts) cannot tell whether an
// expression fires when it should; only an evaluation can.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const prometheusDir = path.resolve(__dirname, '..', 'prometheus');

interface Rule {
  alert?: string;
}
interface ExpectedAlert {
  exp_labels?: Record<string, string>;
  exp_annotations?: Record<string, string>;
}
interface UnitTest {
  name: string;
  alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: ExpectedAlert[] }[];
}

const rules = (
  parse(fs.readFileSync(path.join(prometheusDir, 'alerts.yml'), 'utf8')) as {
    groups: { rules: Rule[] }[];
  }
).groups.flatMap((g) => g.rules);
const unitTests = (
  parse(fs.readFileSync(path.join(prometheusDir, 'alerts.test.yml'), 'utf8')) as {
    rule_files: string[];
    tests: UnitTest[];
  }
).tests;
const cases = unitTests.flatMap((t) => t.alert_rule_test ?? []);

/** `promtool <args>` in docker/prometheus; status null when promtool could not be started. */
function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { cwd: prometheusDir, encoding: 'utf8' });
  return { status: run.error ? null : run.status, output: `${run.stdout}${run.stderr}` };
}

/** Fails with promtool's own report, which names the case, the time and the alerts it saw. */
function expectSuccess(run: ReturnType<typeof promtool>) {
  if (run.status !== 0) throw new Error(`promtool exited ${run.status}:\n${run.output}`);
}

const installed = promtool('--version').status === 0;
// A CI without promtool must fail here, not pass with these tests skipped.
const required = process.env.CI !== undefined && process.env.CI !== 'false';
const withPromtool = installed || required ? test : test.skip;

describe('docker/prometheus/alerts.test.yml', () => {
  test('every alert has a case where it fires, with its severity, summary and runbook', () => {
    const alerts = rules.flatMap((r) => (r.alert ? [r.alert] : []));
    expect(alerts.length).toBeGreaterThanOrEqual(9);
    for (const alert of alerts) {
      const firing = cases.filter((c) => c.alertname === alert).flatMap((c) => c.exp_alerts ?? []);
      expect({ alert, firing: firing.length > 0 }).toEqual({ alert, firing: true });
      for (const expected of firing) {
        expect(expected.exp_labels?.severity).toMatch(/^(critical|warning|info)$/);
        expect(expected.exp_annotations?.summary).toBeTruthy();
        expect(expected.exp_annotations?.runbook).toBeTruthy();
      }
    }
  });

  test('every alert has a case where it must stay quiet', () => {
    const quiet = new Set(
      cases.filter((c) => (c.exp_alerts ?? []).length === 0).map((c) => c.alertname),
    );
    const alerts = rules.flatMap((r) => (r.alert ? [r.alert] : []));
    expect(alerts.filter((alert) => !quiet.has(alert))).toEqual([]);
  });

  test('every case names an alert alerts.yml defines', () => {
    const alerts = new Set(rules.map((r) => r.alert));
    expect(cases.map((c) => c.alertname).filter((name) => !alerts.has(name))).toEqual([]);
  });
});

describe('promtool', () => {
  withPromtool(
    'is installed (CI installs it: bash docker/prometheus/test-rules.sh --install)',
    () => {
      expect(installed).toBe(true);
    },
  );

  withPromtool('accepts alerts.yml (promtool check rules)', () => {
    expectSuccess(promtool('check', 'rules', 'alerts.yml'));
  });

  withPromtool('passes every case of alerts.test.yml (promtool test rules)', () => {
    expectSuccess(promtool('test', 'rules', 'alerts.test.yml'));
  });
});
