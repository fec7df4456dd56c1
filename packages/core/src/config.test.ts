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
