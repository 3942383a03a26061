/**
 * npm run plan -- --stack <staging|production> [--target aws|kubernetes] [--json] [--out DIR] [--policy-config FILE] [--set key=value ...] [--dir PROGRAM_DIR]
 *
 * `--dir examples/aws-staging` plans another program of this repository (an example) instead of
 * the root program; its stack file is `<dir>/Pulumi.<stack>.yaml`.
 *
 * `--set key=value` overrides one stack config key for this plan only, like `pulumi config set`
 * (arrays as JSON: --set 'llmModels=["llama3.1:8b"]').
 *
 * Exit codes: 0 plan made and no mandatory policy violated; 1 a mandatory policy is violated;
 * 2 bad input (unknown stack, invalid config, unreadable policy config, bad flags).
 */
import * as path from "path";
import { ValidationError } from "../components/core/validation";
import { plan, PlanInputError, renderSummary, writeOut } from "./plan-lib";

const USAGE =
    "usage: npm run plan -- --stack <staging|production> [--target aws|kubernetes] [--json] [--out DIR] [--policy-config FILE] [--set key=value ...] [--dir PROGRAM_DIR]";

interface Args {
    stack?: string;
    target?: "aws" | "kubernetes";
    json: boolean;
    out?: string;
    policyConfig?: string;
    set: Record<string, string>;
    dir?: string;
}

export function parseArgs(argv: string[]): Args {
    const args: Args = { json: false, set: {} };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new PlanInputError(`${a} needs a value\n${USAGE}`);
            return v;
        };
        switch (a) {
            case "--stack":
                args.stack = value();
                break;
            case "--target": {
                const t = value();
                if (t !== "aws" && t !== "kubernetes") throw new PlanInputError(`--target: got "${t}"; allowed: aws, kubernetes`);
                args.target = t;
                break;
            }
            case "--json":
                args.json = true;
                break;
            case "--out":
                args.out = value();
                break;
            case "--policy-config":
                args.policyConfig = value();
                break;
            case "--set": {
                const kv = value();
                const eq = kv.indexOf("=");
                if (eq <= 0) throw new PlanInputError(`--set: got "${kv}"; allowed: key=value`);
                args.set[kv.slice(0, eq)] = kv.slice(eq + 1);
                break;
            }
            case "--dir":
                args.dir = value();
                break;
            case "--help":
            case "-h":
                throw new PlanInputError(USAGE);
            default:
                throw new PlanInputError(`unknown argument "${a}"\n${USAGE}`);
        }
    }
    if (!args.stack) throw new PlanInputError(`--stack is required\n${USAGE}`);
    return args;
}

export async function main(argv: string[]): Promise<number> {
    let args: Args;
    try {
        args = parseArgs(argv);
        const result = await plan({ stack: args.stack!, target: args.target, policyConfigFile: args.policyConfig, configOverrides: args.set, dir: args.dir });
        if (args.out) {
            const files = writeOut(result, path.resolve(args.out));
            if (!args.json) process.stderr.write(`wrote ${files.length} files to ${args.out}\n`);
        }
        process.stdout.write(args.json ? JSON.stringify(result.document, null, 2) + "\n" : renderSummary(result) + "\n");
        return result.document.policy.passed ? 0 : 1;
    } catch (e) {
        if (e instanceof PlanInputError || e instanceof ValidationError) {
            process.stderr.write(`plan: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`plan: unexpected error: ${(e as Error).stack ?? e}\n`);
            process.exit(3);
        },
    );
}
