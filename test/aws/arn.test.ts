import { describe, expect, it } from 'vitest';
import {
  arnInRegion,
  contactFlowArn,
  contactFlowModuleArn,
  findArns,
  parseArn,
  parseConnectInstanceArn,
} from '../../src/aws/identifiers.ts';

describe('ARNs of any service', () => {
  it('splits Lambda, Lex, Connect and global ARNs into their parts', () => {
    // Act
    const lambda = parseArn('arn:aws:lambda:us-east-1:111122223333:function:customer-lookup:prod');
    const lex = parseArn('arn:aws:lex:us-west-2:111122223333:bot-alias/HELPDESKBT/PRODALIAS1');
    const bucket = parseArn('arn:aws:s3:::recordings-bucket');
    const gov = parseArn(
      'arn:aws-us-gov:connect:us-gov-west-1:111122223333:instance/c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001/queue/q1',
    );

    // Assess
    expect(lambda).toEqual({
      arn: 'arn:aws:lambda:us-east-1:111122223333:function:customer-lookup:prod',
      partition: 'aws',
      service: 'lambda',
      region: 'us-east-1',
      accountId: '111122223333',
      resource: 'function:customer-lookup:prod',
    });
    expect(lex).toMatchObject({ service: 'lex', region: 'us-west-2', resource: 'bot-alias/HELPDESKBT/PRODALIAS1' });
    expect(bucket).toMatchObject({ service: 's3', region: '', accountId: '', resource: 'recordings-bucket' });
    expect(gov).toMatchObject({ partition: 'aws-us-gov', region: 'us-gov-west-1' });
    expect(parseArn('customer-lookup')).toBeUndefined();
    expect(parseArn('$.Attributes.lambdaArn')).toBeUndefined();
  });

  it('finds every ARN inside free text, ending at spaces, quotes and commas', () => {
    // Act
    const found = findArns(
      'notify arn:aws:sns:us-east-1:111122223333:alerts, then "arn:aws:lambda:us-west-2:111122223333:function:f" done',
    );

    // Assess
    expect(found.map((a) => a.arn)).toEqual([
      'arn:aws:sns:us-east-1:111122223333:alerts',
      'arn:aws:lambda:us-west-2:111122223333:function:f',
    ]);
    expect(findArns('no ARN here, only arn:aws and $.External.x')).toEqual([]);
  });

  it("names the same resource in another Region, with that Region's partition", () => {
    // Prepare
    const lambda = parseArn('arn:aws:lambda:us-east-1:111122223333:function:customer-lookup')!;

    // Act, Assess
    expect(arnInRegion(lambda, 'us-west-2')).toBe('arn:aws:lambda:us-west-2:111122223333:function:customer-lookup');
    expect(arnInRegion(lambda, 'cn-north-1')).toBe(
      'arn:aws-cn:lambda:cn-north-1:111122223333:function:customer-lookup',
    );
  });
});

describe('Connect instance, flow and module ARNs', () => {
  it("splits an instance ARN and builds its flows' and modules' ARNs", () => {
    // Act
    const instance = parseConnectInstanceArn(
      'arn:aws:connect:us-west-2:111122223333:instance/c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001',
    );

    // Assess
    expect(instance).toEqual({
      partition: 'aws',
      region: 'us-west-2',
      accountId: '111122223333',
      id: 'c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001',
    });
    expect(parseConnectInstanceArn('c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001')).toBeUndefined();
    expect(contactFlowArn('us-west-2', '111122223333', 'i-1', 'f-1')).toBe(
      'arn:aws:connect:us-west-2:111122223333:instance/i-1/contact-flow/f-1',
    );
    expect(contactFlowModuleArn('us-west-2', '111122223333', 'i-1', 'm-1')).toBe(
      'arn:aws:connect:us-west-2:111122223333:instance/i-1/flow-module/m-1',
    );
  });
});
