// Resource metrics for the cluster: metrics-server (the metrics API that HPAs
// and `kubectl top` read) and the VPA recommender alone: it only records
// recommendations in VerticalPodAutoscaler objects; kaji reads them and
// right-sizes requests through pull requests to the manifest repository, so
// nothing in the cluster changes a pod behind git's back (no updater, no
// admission controller).
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Duration } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import type { ChartPin } from '../versions.js';
import { systemPlacement } from './system-nodes.js';

export interface ResourceMetricsProps {
  readonly cluster: eks.ICluster;
  readonly metricsServerChart: ChartPin;
  readonly vpaChart: ChartPin;
}

export class ResourceMetrics extends Construct {
  readonly metricsServer: eks.HelmChart;
  readonly vpa: eks.HelmChart;

  constructor(scope: Construct, id: string, props: ResourceMetricsProps) {
    super(scope, id);
    const placement = systemPlacement();
    this.metricsServer = new eks.HelmChart(this, 'MetricsServer', {
      cluster: props.cluster,
      chart: props.metricsServerChart.chart,
      repository: props.metricsServerChart.repository,
      version: props.metricsServerChart.version,
      namespace: 'kube-system',
      release: 'metrics-server',
      timeout: Duration.minutes(10),
      values: placement,
    });
    this.vpa = new eks.HelmChart(this, 'Vpa', {
      cluster: props.cluster,
      chart: props.vpaChart.chart,
      repository: props.vpaChart.repository,
      version: props.vpaChart.version,
      namespace: 'kube-system',
      release: 'vpa',
      timeout: Duration.minutes(10),
      values: {
        recommender: {
          enabled: true,
          ...placement,
          // The chart floors every pod's recommendation at 15 millicores and 100 MiB (upstream's
          // recommender: 25 and 250), so a small pod's target would be the floor, not its use, and
          // kaji rightsize would raise it. kaji's own floors instead (FLOOR in src/capacity/propose.ts).
          extraArgs: { 'pod-recommendation-min-cpu-millicores': 10, 'pod-recommendation-min-memory-mb': 16 },
        },
        updater: { enabled: false },
        admissionController: { enabled: false },
        // metrics-server is installed above, from its own chart.
        'metrics-server': { enabled: false },
      },
    });
    this.vpa.node.addDependency(this.metricsServer);
  }
}
