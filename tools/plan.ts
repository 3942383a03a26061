/**
 * npm run plan -- --stack <staging|production> [options]: the offline plan of a stack (see
 * `testing/plan/cli.ts` for the flags and exit codes, docs/offline-plan.md for the outputs).
 */
import { main } from "../testing/plan/cli";

export { main, parseArgs, runCli, USAGE } from "../testing/plan/cli";

if (require.main === module) void main(process.argv.slice(2));
