/**
 * The flows every simulated instance starts with: a small contact centre in the flow language (Version
 * 2019-10-30), as DescribeContactFlow returns it. Each Region's copy names only that Region's resources,
 * which is what a ready replica looks like: its Lambda functions, its Lex bot alias, its own queue, prompt
 * and flow module. Tests load a copy with one ARN changed to see the replica readiness check fail.
 */
import { connectInstanceArn, contactFlowModuleArn, partitionOf } from '../aws/identifiers.ts';
import type { InstanceFlowSet } from './connect-contact-flows.ts';

/** Fixed ids, so the default set (and what the docs quote of it) is the same in every run. */
export const DEFAULT_FLOW_IDS = {
  mainInbound: '5b8f3a52-2f4e-4c43-9c1e-5a0c0de05701',
  customerQueue: '5b8f3a52-2f4e-4c43-9c1e-5a0c0de05702',
  authenticateModule: '5b8f3a52-2f4e-4c43-9c1e-5a0c0de05703',
  queue: '7e0c1d2a-3b4c-4d5e-8f60-5a0c0de03456',
  prompt: '9a8b7c6d-5e4f-4a3b-8c2d-5a0c0de09876',
} as const;

/** The Lex V2 bot and alias ids of the default set (Lex Global Resiliency keeps them in the replica). */
export const DEFAULT_LEX_BOT = { botId: 'HELPDESKBT', aliasId: 'PRODALIAS1' } as const;

/** The Lambda function names the default set calls. */
export const DEFAULT_LAMBDA_FUNCTIONS = ['customer-lookup', 'verify-pin'] as const;

/** The default set for instance `instanceId` in `region`: two flows and a module, and their integrations. */
export function defaultFlowSet(
  region: string,
  accountId: string,
  instanceId: string,
): Required<Pick<InstanceFlowSet, 'flows' | 'modules' | 'lambdaFunctions' | 'lexV2Aliases'>> {
  const partition = partitionOf(region);
  const lambda = (name: string) => `arn:${partition}:lambda:${region}:${accountId}:function:${name}`;
  const lexAlias = `arn:${partition}:lex:${region}:${accountId}:bot-alias/${DEFAULT_LEX_BOT.botId}/${DEFAULT_LEX_BOT.aliasId}`;
  const instance = connectInstanceArn(region, accountId, instanceId);
  const moduleArn = contactFlowModuleArn(region, accountId, instanceId, DEFAULT_FLOW_IDS.authenticateModule);
  const [customerLookup, verifyPin] = DEFAULT_LAMBDA_FUNCTIONS.map(lambda) as [string, string];
  return {
    flows: [
      {
        id: DEFAULT_FLOW_IDS.mainInbound,
        name: 'Main inbound',
        type: 'CONTACT_FLOW',
        description: 'Greets, looks the caller up, asks what they need and queues them',
        content: mainInbound(customerLookup, moduleArn, lexAlias, `${instance}/queue/${DEFAULT_FLOW_IDS.queue}`),
      },
      {
        id: DEFAULT_FLOW_IDS.customerQueue,
        name: 'Customer queue',
        type: 'CUSTOMER_QUEUE',
        content: customerQueue(`${instance}/prompt/${DEFAULT_FLOW_IDS.prompt}`),
      },
    ],
    modules: [
      { id: DEFAULT_FLOW_IDS.authenticateModule, name: 'Authenticate caller', content: authenticateModule(verifyPin) },
    ],
    lambdaFunctions: [customerLookup, verifyPin],
    lexV2Aliases: [lexAlias],
  };
}

const errorsTo = (next: string, ...types: string[]) => types.map((ErrorType) => ({ NextAction: next, ErrorType }));

function mainInbound(lookupArn: string, moduleArn: string, lexAliasArn: string, queueArn: string) {
  return {
    Version: '2019-10-30',
    StartAction: 'a1c0e7d2-0001-4f3a-9b1e-5a0c0de00001',
    Metadata: { entryPointPosition: { x: 40, y: 40 }, ActionMetadata: {} },
    Actions: [
      {
        Identifier: 'a1c0e7d2-0001-4f3a-9b1e-5a0c0de00001',
        Type: 'MessageParticipant',
        Parameters: { Text: 'Thank you for calling.' },
        Transitions: {
          NextAction: 'a1c0e7d2-0002-4f3a-9b1e-5a0c0de00002',
          Errors: errorsTo('a1c0e7d2-0002-4f3a-9b1e-5a0c0de00002', 'NoMatchingError'),
          Conditions: [],
        },
      },
      {
        Identifier: 'a1c0e7d2-0002-4f3a-9b1e-5a0c0de00002',
        Type: 'InvokeLambdaFunction',
        Parameters: {
          LambdaFunctionARN: lookupArn,
          InvocationTimeLimitSeconds: '3',
          InvocationType: 'SYNCHRONOUS',
          ResponseValidation: { ResponseType: 'STRING_MAP' },
        },
        Transitions: {
          NextAction: 'a1c0e7d2-0003-4f3a-9b1e-5a0c0de00003',
          Errors: errorsTo('a1c0e7d2-0005-4f3a-9b1e-5a0c0de00005', 'NoMatchingError'),
          Conditions: [],
        },
      },
      {
        Identifier: 'a1c0e7d2-0003-4f3a-9b1e-5a0c0de00003',
        Type: 'InvokeFlowModule',
        Parameters: { FlowModuleId: moduleArn },
        Transitions: {
          NextAction: 'a1c0e7d2-0004-4f3a-9b1e-5a0c0de00004',
          Errors: errorsTo('a1c0e7d2-0005-4f3a-9b1e-5a0c0de00005', 'NoMatchingError'),
          Conditions: [],
        },
      },
      {
        Identifier: 'a1c0e7d2-0004-4f3a-9b1e-5a0c0de00004',
        Type: 'ConnectParticipantWithLexBot',
        Parameters: {
          Text: 'How can we help you today?',
          LexV2Bot: { AliasArn: lexAliasArn },
          LexSessionAttributes: { channel: 'voice' },
        },
        Transitions: {
          NextAction: 'a1c0e7d2-0005-4f3a-9b1e-5a0c0de00005',
          Errors: errorsTo(
            'a1c0e7d2-0005-4f3a-9b1e-5a0c0de00005',
            'InputTimeLimitExceeded',
            'NoMatchingCondition',
            'NoMatchingError',
          ),
          Conditions: [],
        },
      },
      {
        Identifier: 'a1c0e7d2-0005-4f3a-9b1e-5a0c0de00005',
        Type: 'UpdateContactTargetQueue',
        Parameters: { QueueId: queueArn },
        Transitions: {
          NextAction: 'a1c0e7d2-0006-4f3a-9b1e-5a0c0de00006',
          Errors: errorsTo('a1c0e7d2-0007-4f3a-9b1e-5a0c0de00007', 'NoMatchingError'),
          Conditions: [],
        },
      },
      {
        Identifier: 'a1c0e7d2-0006-4f3a-9b1e-5a0c0de00006',
        Type: 'TransferContactToQueue',
        Parameters: {},
        Transitions: {
          NextAction: 'a1c0e7d2-0007-4f3a-9b1e-5a0c0de00007',
          Errors: errorsTo('a1c0e7d2-0007-4f3a-9b1e-5a0c0de00007', 'QueueAtCapacity', 'NoMatchingError'),
          Conditions: [],
        },
      },
      {
        Identifier: 'a1c0e7d2-0007-4f3a-9b1e-5a0c0de00007',
        Type: 'DisconnectParticipant',
        Parameters: {},
        Transitions: {},
      },
    ],
  };
}

function customerQueue(promptArn: string) {
  return {
    Version: '2019-10-30',
    StartAction: 'b2d1f8e3-0001-4a4b-8c2f-5a0c0de00001',
    Metadata: { entryPointPosition: { x: 40, y: 40 }, ActionMetadata: {} },
    Actions: [
      {
        Identifier: 'b2d1f8e3-0001-4a4b-8c2f-5a0c0de00001',
        Type: 'MessageParticipant',
        Parameters: { PromptId: promptArn },
        Transitions: {
          NextAction: 'b2d1f8e3-0002-4a4b-8c2f-5a0c0de00002',
          Errors: errorsTo('b2d1f8e3-0002-4a4b-8c2f-5a0c0de00002', 'NoMatchingError'),
          Conditions: [],
        },
      },
      { Identifier: 'b2d1f8e3-0002-4a4b-8c2f-5a0c0de00002', Type: 'EndFlowExecution', Parameters: {}, Transitions: {} },
    ],
  };
}

function authenticateModule(verifyArn: string) {
  return {
    Version: '2019-10-30',
    StartAction: 'c3e2a9f4-0001-4b5c-9d3a-5a0c0de00001',
    Metadata: { entryPointPosition: { x: 40, y: 40 }, ActionMetadata: {} },
    Actions: [
      {
        Identifier: 'c3e2a9f4-0001-4b5c-9d3a-5a0c0de00001',
        Type: 'GetParticipantInput',
        Parameters: {
          Text: 'Please enter your PIN, then press pound.',
          StoreInput: 'True',
          InputTimeLimitSeconds: '8',
          InputValidation: { CustomValidation: { MaximumLength: '6' } },
        },
        Transitions: {
          NextAction: 'c3e2a9f4-0002-4b5c-9d3a-5a0c0de00002',
          Errors: errorsTo('c3e2a9f4-0003-4b5c-9d3a-5a0c0de00003', 'InputTimeLimitExceeded', 'NoMatchingError'),
          Conditions: [],
        },
      },
      {
        Identifier: 'c3e2a9f4-0002-4b5c-9d3a-5a0c0de00002',
        Type: 'InvokeLambdaFunction',
        Parameters: {
          LambdaFunctionARN: verifyArn,
          InvocationTimeLimitSeconds: '3',
          LambdaInvocationAttributes: { pin: '$.StoredCustomerInput' },
        },
        Transitions: {
          NextAction: 'c3e2a9f4-0003-4b5c-9d3a-5a0c0de00003',
          Errors: errorsTo('c3e2a9f4-0003-4b5c-9d3a-5a0c0de00003', 'NoMatchingError'),
          Conditions: [],
        },
      },
      {
        Identifier: 'c3e2a9f4-0003-4b5c-9d3a-5a0c0de00003',
        Type: 'EndFlowModuleExecution',
        Parameters: {},
        Transitions: {},
      },
    ],
  };
}
