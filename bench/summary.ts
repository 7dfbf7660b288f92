/** One target's figures for one workload in one round (bench/run.ts's Measurement has more). */
export interface Figures {
  /** The target: `current`, a --compare ref, a variant, or the hand-written SQL. */
  side: string;
  workload: string;
  round: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  statementsPerRequest: number;
  cpuMsPerRequest: number;
  peakRssMb: number;
}

export type Metric = 'requestsPerSecond' | 'p50Ms' | 'p99Ms' | 'statementsPerRequest' | 'cpuMsPerRequest' | 'peakRssMb';

export function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median over the rounds of one metric of one side's workload. */
export function medianOf(measurements: readonly Figures[], side: string, workload: string, metric: Metric): number {
  return median(measurements.filter((m) => m.side === side && m.workload === workload).map((m) => m[metric]));
}

/**
 * The sides in the order round `round` (from 1) measures them: rotated by one each round
 * (A B C, B C A, C A B...), so that no side always runs first, or always right after another,
 * while the shared machine's load drifts.
 */
export function inRoundOrder<T>(sides: readonly T[], round: number): T[] {
  const shift = (round - 1) % sides.length;
  return [...sides.slice(shift), ...sides.slice(0, shift)];
}

export type PairedMetric = 'requestsPerSecond' | 'cpuMsPerRequest' | 'p99Ms';

/** numerator / denominator of one workload: each metric's ratio of the medians over the rounds, and each round's ratio. */
export interface Ratio {
  workload: string;
  numerator: string;
  denominator: string;
  requestsPerSecond: number;
  cpuMsPerRequest: number;
  p99Ms: number;
  statementsPerRequest: number;
  peakRssMb: number;
  /**
   * Round by round (rounds where both ran), in round order: a round measures the two back to
   * back, under the machine's load of that moment. How far they disagree is the noise; their
   * median is steadier than the ratio of medians when the load drifts between rounds.
   */
  byRound: Record<PairedMetric, number[]>;
}

export function ratioOf(measurements: readonly Figures[], workload: string, numerator: string, denominator: string): Ratio {
  const of = (metric: Metric) => medianOf(measurements, numerator, workload, metric) / medianOf(measurements, denominator, workload, metric);
  const find = (side: string, round: number) => measurements.find((m) => m.side === side && m.workload === workload && m.round === round);
  const rounds = [...new Set(measurements.filter((m) => m.workload === workload).map((m) => m.round))].sort((a, b) => a - b);
  const pairs = rounds.flatMap((round) => {
    const [top, bottom] = [find(numerator, round), find(denominator, round)];
    return top && bottom ? [{ top, bottom }] : [];
  });
  const byRound = (metric: PairedMetric) => pairs.map(({ top, bottom }) => top[metric] / bottom[metric]);
  return {
    workload,
    numerator,
    denominator,
    requestsPerSecond: of('requestsPerSecond'),
    cpuMsPerRequest: of('cpuMsPerRequest'),
    p99Ms: of('p99Ms'),
    statementsPerRequest: of('statementsPerRequest'),
    peakRssMb: of('peakRssMb'),
    byRound: { requestsPerSecond: byRound('requestsPerSecond'), cpuMsPerRequest: byRound('cpuMsPerRequest'), p99Ms: byRound('p99Ms') },
  };
}

export interface Verdict {
  /** The ratio of medians is at least `floor`. */
  within: boolean;
  /** Every round's ratio is on the same side of `floor` as the ratio of medians. */
  consistent: boolean;
  text: string;
}

/** Whether a throughput ratio keeps to a budget (floor 0.95: at most 5% less), and whether the rounds agree on it. */
export function throughputVerdict(ratio: Ratio, floor: number): Verdict {
  const within = ratio.requestsPerSecond >= floor;
  const byRound = ratio.byRound.requestsPerSecond;
  const consistent = byRound.every((r) => r >= floor === within);
  const budget = `${Math.round((1 - floor) * 100)}% throughput budget (req/s ratio >= ${floor})`;
  const rounds = byRound.map((r) => r.toFixed(3)).join(', ');
  const agreement = consistent
    ? `every round agrees (${rounds})`
    : `but the rounds disagree (${rounds}; their median ${median(byRound).toFixed(3)}): within the machine's noise, run more rounds`;
  return {
    within,
    consistent,
    text: `${ratio.workload}: ${ratio.numerator} / ${ratio.denominator} req/s ${ratio.requestsPerSecond.toFixed(3)} (ratio of the medians): ${within ? 'within' : 'NOT within'} the ${budget}; ${agreement}`,
  };
}
