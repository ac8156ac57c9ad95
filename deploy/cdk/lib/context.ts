/** Reads the deployment from CDK context, so `cdk synth`/`cdk deploy` take it from cdk.json, a file or `-c`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Node } from 'constructs';
import type { ConnectFailoverProps } from './props.ts';

/** Context keys `bin/app.ts` reads. */
export const CONTEXT_KEYS = {
  /** The props as an object (cdk.json, cdk.context.json) or a JSON string (`-c connectFailover='{…}'`). */
  props: 'connectFailover',
  /** Or a JSON file holding them, relative to the working directory. */
  file: 'connectFailoverFile',
  /** Overrides `image` for both Regions, e.g. `-c image=…/connect-failover@sha256:…` after a build. */
  image: 'image',
  /** Pins the stacks to an account (the TDG's); default account-agnostic. */
  account: 'account',
} as const;

export interface ContextDeployment {
  props: ConnectFailoverProps;
  account: string | undefined;
}

/**
 * The deployment named by the context.
 * @throws Error saying which context key to set, or what is wrong with the JSON.
 */
export function deploymentFromContext(
  node: Node,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ContextDeployment {
  const inline = node.tryGetContext(CONTEXT_KEYS.props) as unknown;
  const file = node.tryGetContext(CONTEXT_KEYS.file) as unknown;
  let props: unknown;
  if (inline !== undefined) {
    props = typeof inline === 'string' ? parseJson(inline, `context ${CONTEXT_KEYS.props}`) : inline;
  } else if (typeof file === 'string' && file !== '') {
    const path = resolve(file);
    let text: string;
    try {
      text = read(path);
    } catch (error) {
      throw new Error(
        `context ${CONTEXT_KEYS.file}: cannot read ${path}: ${(error as Error).message} (copy deploy/cdk/deployment.example.json and edit it)`,
        {
          cause: error,
        },
      );
    }
    props = parseJson(text, path);
  } else {
    throw new Error(
      `no deployment given: set context ${CONTEXT_KEYS.file} to a JSON file (cdk.json names deployment.json; ` +
        `start from deployment.example.json) or ${CONTEXT_KEYS.props} to the props themselves; see deploy/README.md`,
    );
  }
  if (typeof props !== 'object' || props === null || Array.isArray(props))
    throw new Error('the deployment must be a JSON object (see deployment.example.json)');
  const image = node.tryGetContext(CONTEXT_KEYS.image) as unknown;
  const account = node.tryGetContext(CONTEXT_KEYS.account) as unknown;
  if (account !== undefined && (typeof account !== 'string' || !/^\d{12}$/.test(account)))
    throw new Error(`context ${CONTEXT_KEYS.account}: "${String(account)}" is not a 12-digit account id`);
  return {
    props: { ...(props as ConnectFailoverProps), ...(typeof image === 'string' && image !== '' ? { image } : {}) },
    account: account as string | undefined,
  };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${where}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
