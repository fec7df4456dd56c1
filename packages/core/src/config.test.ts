import { ConfigError, loadConfig } from './config';

describe('HOOKLINE_TRACE_URL', () => {
  test('unset or empty: no trace links', () => {
    expect(loadConfig({}).traceUrl).toBeUndefined();
    expect(loadConfig({ HOOKLINE_TRACE_URL: '  ' }).traceUrl).toBeUndefined();
  });

  test.each([
    'https://jaeger.example/trace/{trace_id}',
    'http://tempo.internal:3200/explore?traceId={trace_id}&orgId=1',
  ])('takes an http(s) template with {trace_id}: %s', (template) => {
    expect(loadConfig({ HOOKLINE_TRACE_URL: ` ${template} ` }).traceUrl).toBe(template);
  });

  test.each([
    ['without the placeholder', 'https://jaeger.example/trace/'],
    ['with another scheme', 'javascript:alert("{trace_id}")'],
    ['with ftp', 'ftp://jaeger.example/{trace_id}'],
    ['relative', '/trace/{trace_id}'],
    ['not a URL', 'jaeger {trace_id}'],
  ])('refuses a template %s, in one line naming the variable', (_, template) => {
    expect(() => loadConfig({ HOOKLINE_TRACE_URL: template })).toThrow(ConfigError);
    expect(() => loadConfig({ HOOKLINE_TRACE_URL: template })).toThrow(
      /^HOOKLINE_TRACE_URL: must be an http:\/\/ or https:\/\/ URL with \{trace_id\} in it/,
    );
  });
});

describe('tenant quotas', () => {
  test('default to 100 endpoints, 60 retries and 10 test sends a minute', () => {
    expect(loadConfig({}).tenantQuotas).toEqual({
      maxEndpoints: 100,
      retriesPerMinute: 60,
      testSendsPerMinute: 10,
    });
  });

  test('take each variable', () => {
    expect(
      loadConfig({
        HOOKLINE_TENANT_MAX_ENDPOINTS: '5',
        HOOKLINE_TENANT_RETRIES_PER_MINUTE: '7',
        HOOKLINE_TENANT_TEST_SENDS_PER_MINUTE: '3',
      }).tenantQuotas,
    ).toEqual({ maxEndpoints: 5, retriesPerMinute: 7, testSendsPerMinute: 3 });
  });

  test.each([
    ['HOOKLINE_TENANT_MAX_ENDPOINTS', '0'],
    ['HOOKLINE_TENANT_MAX_ENDPOINTS', 'many'],
    ['HOOKLINE_TENANT_RETRIES_PER_MINUTE', '-1'],
    ['HOOKLINE_TENANT_RETRIES_PER_MINUTE', '1e2'],
    ['HOOKLINE_TENANT_TEST_SENDS_PER_MINUTE', '2.5'],
  ])('%s=%s stops the start in one line naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`^${name}: must be an integer from 1 to 1000000 \\(got "${value}"\\)$`),
    );
  });
});
