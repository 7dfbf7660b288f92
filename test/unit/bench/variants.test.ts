import { INSTRUMENTATION_VARIANTS, selectVariants, VARIANTS } from '../../../bench/variants';

describe('selectVariants', () => {
  it('keeps the order of VARIANTS and always includes bare, which the others are divided by', () => {
    expect(selectVariants('traced,instrumented').map((v) => v.name)).toEqual(['instrumented', 'bare', 'traced']);
    expect(selectVariants('instrumented').map((v) => v.name)).toEqual(['instrumented', 'bare']);
  });

  it('names the variants to choose from when one is unknown', () => {
    expect(() => selectVariants('instrumented,tracing')).toThrow('unknown variant(s) tracing: choose from instrumented, bare, uncached, traced');
  });

  it('refuses bare alone: there is nothing to divide', () => {
    expect(() => selectVariants('bare')).toThrow('--variants needs a variant besides bare');
  });
});

describe('VARIANTS', () => {
  it('differ from bare only by the instrumentation settings, and the response cache', () => {
    const keys = new Set(VARIANTS.flatMap((v) => Object.keys(v.env)));
    expect([...keys].sort()).toEqual(['LOG_LEVEL', 'METRICS', 'RESPONSE_CACHE', 'TRACING', 'TRACING_SAMPLE_RATIO']);
    expect(VARIANTS.filter((v) => 'RESPONSE_CACHE' in v.env).map((v) => v.name)).toEqual(['uncached']);
  });

  it('leave the response cache out of --instrumentation', () => {
    expect(INSTRUMENTATION_VARIANTS).toBe('instrumented,bare,traced');
  });

  it('run instrumented as production does by default: metrics on, request log at info, no tracing SDK', () => {
    const instrumented = VARIANTS.find((v) => v.name === 'instrumented')!;
    expect(instrumented).toMatchObject({ env: { METRICS: 'on', LOG_LEVEL: 'info', TRACING: 'off' }, log: true, tracing: false });
  });
});
