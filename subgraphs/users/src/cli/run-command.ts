import { EnvError } from '@jobplatform/config';
import { AppError } from '@jobplatform/service-runtime';

/**
 * Runs a command's main and exits with its code. A rule's refusal (AppError) prints its code and
 * message and exits 1; bad configuration prints what is wrong; anything else prints the error.
 */
export function runCommand(main: () => Promise<number>): void {
  main()
    .catch((error: unknown) => {
      if (!(error instanceof AppError)) throw error;
      console.error(`${error.code}: ${error.message}`);
      return 1;
    })
    .then(
      (code) => process.exit(code),
      (error: unknown) => {
        console.error(error instanceof EnvError ? error.message : error);
        process.exit(1);
      },
    );
}
