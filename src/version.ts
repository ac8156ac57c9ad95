/** The package's version, from package.json (inlined by the bundler, read as JSON by the TypeScript runners). */
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
