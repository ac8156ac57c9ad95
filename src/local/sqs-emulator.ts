/**
 * The local stack's SQS emulator (fauxqs), loaded only when a local stack starts. fauxqs is a development
 * dependency: `npm ci` installs it, a production install (`npm ci --omit=dev`, the container image) does
 * not, and `run` never needs it. Without it, `local` and `gameday --local` say what to install instead of
 * failing with a module-resolution stack trace.
 */
import type { startFauxqs as StartFauxqs } from 'fauxqs';
import { ConnectFailoverError } from '../errors.ts';

/** The emulator package, as named in package.json's devDependencies. */
export const SQS_EMULATOR_PACKAGE = 'fauxqs';

/** The local stack cannot start because its emulator is not installed. Terminal: installing it is the fix. */
export class LocalStackUnavailableError extends ConnectFailoverError {
  constructor(cause: unknown) {
    super(
      `the local stack needs the SQS emulator ${SQS_EMULATOR_PACKAGE}, a development dependency that this install left out ` +
        `(npm ci --omit=dev, or a container image). In a clone of the repository run \`npm ci\` (it installs the development ` +
        `dependencies), or add it here with \`npm install --no-save ${SQS_EMULATOR_PACKAGE}\` at the version in package.json's ` +
        'devDependencies. `run` and the other commands do not need it.',
      { retryable: false, cause },
    );
  }
}

type Importer = () => Promise<{ startFauxqs: typeof StartFauxqs }>;

/** True for Node's "package not installed" error about `name` itself (not one of its own imports failing). */
export function isMissingPackage(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`);
}

/** Starts fauxqs; `importer` is for tests. @throws LocalStackUnavailableError when fauxqs is not installed. */
export async function startFauxqs(
  options: Parameters<typeof StartFauxqs>[0],
  importer: Importer = () => import('fauxqs'),
): ReturnType<typeof StartFauxqs> {
  let fauxqs: { startFauxqs: typeof StartFauxqs };
  try {
    fauxqs = await importer();
  } catch (error) {
    if (isMissingPackage(error, SQS_EMULATOR_PACKAGE)) throw new LocalStackUnavailableError(error);
    throw error;
  }
  return fauxqs.startFauxqs(options);
}
