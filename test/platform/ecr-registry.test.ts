import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { ecrRegistry, kajiVersion, parsePlatform } from '../../src/platform/index.js';
import { platformYaml } from '../support/platform.js';

describe('ecrRegistry', () => {
  test("every region aws-cdk-lib knows: the registry host ends in its partition's domain", () => {
    const regions = RegionInfo.regions.map((region) => region.name).filter((name) => /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$/.test(name));
    assert.ok(regions.some((name) => name.startsWith('cn-')) && regions.some((name) => name.includes('-iso')), regions.join(' '));
    for (const region of regions) {
      assert.equal(ecrRegistry('111122223333', region), `111122223333.dkr.ecr.${region}.${RegionInfo.get(region).domainSuffix}`, region);
    }
  });

  test("the webhook's default image is in the platform's own registry, in China's domain there", () => {
    const inChina = parsePlatform(platformYaml([{ name: 'shop' }]).replace('region: eu-west-1', 'region: cn-north-1').replaceAll('arn:aws:', 'arn:aws-cn:'), 'platform.yaml');
    assert.equal(inChina.webhook.image, `111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/kaji:${kajiVersion()}`);
  });
});
