import { inRoundOrder, median, ratioOf, throughputVerdict, type Figures } from '../../../bench/summary';

function figures(side: string, round: number, requestsPerSecond: number, cpuMsPerRequest = 10, p99Ms = 100): Figures {
  return { side, workload: 'orders', round, requestsPerSecond, p50Ms: 50, p99Ms, statementsPerRequest: 6, cpuMsPerRequest, peakRssMb: 200 };
}

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the two middle values of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('inRoundOrder', () => {
  it('rotates the sides by one each round, so that each runs first in turn', () => {
    const sides = ['instrumented', 'bare', 'traced'];
    expect([1, 2, 3, 4].map((round) => inRoundOrder(sides, round))).toEqual([
      ['instrumented', 'bare', 'traced'],
      ['bare', 'traced', 'instrumented'],
      ['traced', 'instrumented', 'bare'],
      ['instrumented', 'bare', 'traced'],
    ]);
  });

  it('alternates two sides', () => {
    expect([1, 2, 3].map((round) => inRoundOrder(['current', 'main'], round))).toEqual([
      ['current', 'main'],
      ['main', 'current'],
      ['current', 'main'],
    ]);
  });
});

describe('ratioOf', () => {
  const measurements = [
    figures('instrumented', 1, 90, 11, 120),
    figures('bare', 1, 100, 10, 100),
    figures('instrumented', 2, 50, 20, 300),
    figures('bare', 2, 50, 20, 250),
    figures('instrumented', 3, 99, 10, 110),
    figures('bare', 3, 110, 9, 100),
  ];

  it('divides the medians over the rounds, metric by metric', () => {
    const ratio = ratioOf(measurements, 'orders', 'instrumented', 'bare');
    expect(ratio).toMatchObject({ workload: 'orders', numerator: 'instrumented', denominator: 'bare', statementsPerRequest: 1, peakRssMb: 1 });
    expect(ratio.requestsPerSecond).toBeCloseTo(90 / 100);
    expect(ratio.cpuMsPerRequest).toBeCloseTo(11 / 10);
    expect(ratio.p99Ms).toBeCloseTo(120 / 100);
  });

  it("gives each round's ratio of req/s, CPU and p99, in round order, for the rounds both sides ran", () => {
    const ratio = ratioOf([...measurements, figures('instrumented', 4, 80)], 'orders', 'instrumented', 'bare');
    expect(ratio.byRound.requestsPerSecond).toEqual([0.9, 1, 0.9]);
    expect(ratio.byRound.cpuMsPerRequest).toEqual([1.1, 1, 10 / 9]);
    expect(ratio.byRound.p99Ms).toEqual([1.2, 1.2, 1.1]);
  });
});

describe('throughputVerdict', () => {
  const ratio = (requestsPerSecond: number, requestsPerSecondByRound: number[]) => ({
    workload: 'orders',
    numerator: 'instrumented',
    denominator: 'bare',
    requestsPerSecond,
    cpuMsPerRequest: 1,
    p99Ms: 1,
    statementsPerRequest: 1,
    peakRssMb: 1,
    byRound: { requestsPerSecond: requestsPerSecondByRound, cpuMsPerRequest: [], p99Ms: [] },
  });

  it('is within a 5% budget at a ratio of 0.95 or more, and consistent when every round agrees', () => {
    const verdict = throughputVerdict(ratio(0.97, [0.96, 0.97, 0.99]), 0.95);
    expect(verdict).toMatchObject({ within: true, consistent: true });
    expect(verdict.text).toBe(
      'orders: instrumented / bare req/s 0.970 (ratio of the medians): within the 5% throughput budget (req/s ratio >= 0.95); every round agrees (0.960, 0.970, 0.990)',
    );
  });

  it('is not within it below 0.95', () => {
    expect(throughputVerdict(ratio(0.9, [0.88, 0.9, 0.93]), 0.95)).toMatchObject({ within: false, consistent: true });
  });

  it('says so when the rounds fall on both sides of the budget', () => {
    const verdict = throughputVerdict(ratio(0.96, [0.91, 0.96, 1.02]), 0.95);
    expect(verdict).toMatchObject({ within: true, consistent: false });
    expect(verdict.text).toContain("but the rounds disagree (0.910, 0.960, 1.020; their median 0.960): within the machine's noise, run more rounds");
  });
});
