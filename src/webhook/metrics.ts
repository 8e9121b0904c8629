// The webhook's Prometheus metrics, written in the text exposition format (0.0.4) by hand.

/** Latency buckets in seconds: the webhook should answer in a few milliseconds. */
export const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class WebhookMetrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private readonly reloads = new Map<string, number>([
    ['ok', 0],
    ['error', 0],
  ]);
  /** Whether every watched file's last reload succeeded (the server keeps it, since it knows which files failed). */
  configValid = true;

  request(path: string, verdict: string, seconds: number): void {
    const key = `path="${escape(path)}",verdict="${escape(verdict)}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const label = `path="${escape(path)}"`;
    let histogram = this.durations.get(label);
    if (!histogram) this.durations.set(label, (histogram = { counts: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 }));
    DURATION_BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) histogram.counts[index]!++;
    });
    histogram.sum += seconds;
    histogram.count++;
  }

  reload(result: 'ok' | 'error'): void {
    this.reloads.set(result, (this.reloads.get(result) ?? 0) + 1);
  }

  /** The exposition text. */
  render(): string {
    const lines: string[] = [
      '# HELP kaji_webhook_requests_total Requests answered, by path and verdict.',
      '# TYPE kaji_webhook_requests_total counter',
    ];
    for (const [labels, value] of this.requests) lines.push(`kaji_webhook_requests_total{${labels}} ${value}`);
    lines.push('# HELP kaji_webhook_request_duration_seconds Time to answer a request.', '# TYPE kaji_webhook_request_duration_seconds histogram');
    for (const [labels, histogram] of this.durations) {
      DURATION_BUCKETS.forEach((bound, index) => {
        lines.push(`kaji_webhook_request_duration_seconds_bucket{${labels},le="${bound}"} ${histogram.counts[index]}`);
      });
      lines.push(`kaji_webhook_request_duration_seconds_bucket{${labels},le="+Inf"} ${histogram.count}`);
      lines.push(`kaji_webhook_request_duration_seconds_sum{${labels}} ${histogram.sum}`);
      lines.push(`kaji_webhook_request_duration_seconds_count{${labels}} ${histogram.count}`);
    }
    lines.push('# HELP kaji_webhook_config_reloads_total Configuration reloads, by result.', '# TYPE kaji_webhook_config_reloads_total counter');
    for (const [result, value] of this.reloads) lines.push(`kaji_webhook_config_reloads_total{result="${result}"} ${value}`);
    lines.push(
      '# HELP kaji_webhook_config_valid 1 when the last reload of every watched file (policy, tenants) succeeded, 0 when the webhook serves an older one.',
      '# TYPE kaji_webhook_config_valid gauge',
      `kaji_webhook_config_valid ${this.configValid ? 1 : 0}`,
    );
    return lines.join('\n') + '\n';
  }
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
