// The platform's name, account, region and domain, and the sections the
// stacks read, checked before a stack is built from them. platform.yaml's
// loader guarantees them; a definition made by hand in a user's CDK app may
// not, and aws-cdk-lib would then build an environment-agnostic stack or fail
// later with an error naming none of them (a TypeError for a missing section).
import type * as cdk from 'aws-cdk-lib/core';
import type { Construct } from 'constructs';
import { describe } from '../../kube/shapes.js';
import type { PlatformDefinition } from '../../platform/index.js';
import { AWS_ACCOUNT, AWS_REGION, DNS_NAME } from '../../platform/definition/schema.js';
import { InfraError } from '../errors.js';

/** The path a construct `id` under `scope` will have, for errors raised before it exists (before super()). */
export function constructPathOf(scope: Construct, id: string): string {
  return scope.node.path === '' ? id : `${scope.node.path}/${id}`;
}

// platform.yaml's own rules (schema.ts): a definition the loader accepts meets them.
const ACCOUNT_SHAPE = new RegExp(AWS_ACCOUNT);
const REGION_SHAPE = new RegExp(AWS_REGION);
const DOMAIN_SHAPE = new RegExp(DNS_NAME);

/** The sections of a definition the stacks read, as loadPlatform returns them: lists, and maps. */
const LIST_SECTIONS = ['clusters', 'teams', 'services'] as const;
const MAP_SECTIONS = ['capacity', 'network', 'manifests'] as const;

/**
 * Refuses a missing or malformed platform name, account, region or domain,
 * a missing section (clusters, teams, services, capacity, network,
 * manifests), and a stack `env` other than the platform's account and region.
 */
export function validatePlatformInfo(platform: PlatformDefinition, env: cdk.Environment | undefined, fail: (field: string, message: string) => never): void {
  const info: Partial<Record<keyof PlatformDefinition['platform'], unknown>> = platform?.platform ?? {};
  if (!info.name) fail('platform.platform.name', 'is missing: name the platform (a DNS label such as "labs"); it names the stacks, clusters, VPC, tags and roles');
  if (!info.account) fail('platform.platform.account', 'is missing: give the 12-digit AWS account ID the platform is deployed to');
  if (typeof info.account !== 'string' || !ACCOUNT_SHAPE.test(info.account)) {
    fail('platform.platform.account', `must be a 12-digit AWS account ID (a string); found ${JSON.stringify(info.account)}`);
  }
  if (!info.region) fail('platform.platform.region', 'is missing: give the AWS region the platform runs in, e.g. "eu-west-1"');
  if (typeof info.region !== 'string' || !REGION_SHAPE.test(info.region)) {
    fail('platform.platform.region', `must be an AWS region such as "eu-west-1"; found ${JSON.stringify(info.region)}`);
  }
  if (!info.domain) fail('platform.platform.domain', 'is missing: give the DNS domain the public hosts live under, e.g. "labs.example.com"; the shared stack creates or imports its hosted zone');
  if (typeof info.domain !== 'string' || info.domain.length > 253 || !DOMAIN_SHAPE.test(info.domain)) {
    fail('platform.platform.domain', `must be a lowercase DNS name such as "labs.example.com"; found ${JSON.stringify(info.domain)}`);
  }
  validateSections(platform, fail);
  if (env?.account !== undefined && env.account !== info.account) {
    fail('env.account', `is ${env.account} but platform.yaml deploys to ${String(info.account)}: leave env out (the stack takes it from platform.yaml) or make them equal`);
  }
  if (env?.region !== undefined && env.region !== info.region) {
    fail('env.region', `is ${env.region} but platform.yaml runs in ${String(info.region)}: leave env out (the stack takes it from platform.yaml) or make them equal`);
  }
}

function validateSections(platform: PlatformDefinition, fail: (field: string, message: string) => never): void {
  const remedy = 'a definition made by hand needs every section loadPlatform returns';
  const problem = (value: unknown, shape: string): string => (value === undefined ? 'is missing' : `must be ${shape}, found ${describe(value)}`);
  for (const section of LIST_SECTIONS) {
    const value: unknown = platform[section];
    if (!Array.isArray(value)) fail(`platform.${section}`, `${problem(value, 'a list')}: ${remedy}; give its ${section} as a list ([] for none)`);
  }
  for (const section of MAP_SECTIONS) {
    const value: unknown = platform[section];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      fail(`platform.${section}`, `${problem(value, 'a mapping')}: ${remedy}; give its ${section} section as loadPlatform reads it from platform.yaml`);
    }
  }
}

/** A `fail` for validatePlatformInfo and its kin: an InfraError at `path`. */
export function failAt(path: string): (field: string, message: string) => never {
  return (field, message) => {
    throw new InfraError(path, field, message);
  };
}
