#!/usr/bin/env node
/**
 * The CDK app: `cd deploy/cdk && npx cdk synth` (or `deploy`). The deployment comes from context (see
 * lib/context.ts and deploy/README.md); cdk-nag's AWS Solutions checks run on every synth, so a new finding
 * fails it until it is fixed or acknowledged with a reason.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addConnectFailover } from '../lib/app.ts';
import { deploymentFromContext } from '../lib/context.ts';

const app = new App();
const { props, account } = deploymentFromContext(app.node);
addConnectFailover(app, props, { account });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
