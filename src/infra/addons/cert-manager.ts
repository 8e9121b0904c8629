// cert-manager: issues and renews the admission webhook's serving certificate
// and keeps the webhook configurations' caBundle in sync (the webhook component
// of clusters/<cluster>/platform/ uses namespaced Issuers only). Installed by
// CDK, before Argo CD syncs kaji-platform, because its CRDs must exist first.
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Duration } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import type { ChartPin } from '../versions.js';
import { systemPlacement } from './system-nodes.js';

export interface CertManagerProps {
  readonly cluster: eks.ICluster;
  readonly chart: ChartPin;
}

export class CertManager extends Construct {
  readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: CertManagerProps) {
    super(scope, id);
    const placement = systemPlacement();
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      chart: props.chart.chart,
      repository: props.chart.repository,
      version: props.chart.version,
      namespace: 'cert-manager',
      createNamespace: true,
      release: 'cert-manager',
      timeout: Duration.minutes(10),
      values: {
        crds: { enabled: true },
        ...placement,
        webhook: placement,
        cainjector: placement,
        startupapicheck: placement,
      },
    });
  }
}
