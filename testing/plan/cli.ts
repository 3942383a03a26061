/**
 * The plan's command line (`npm run plan -- ...`, `ragstack-plan ...`).
 *
 * Exit codes (stable, docs/offline-plan.md): 0 plan made and no mandatory policy violated;
 * 1 a mandatory policy is violated; 2 bad input (flags, paths, stack file, config values, policy
 * config, a program the engine would refuse); 3 internal error (a bug: report it).
 *
 * With `--json` stdout carries exactly one JSON document for every outcome: the plan, or
 * `{"formatVersion": 1, "error": {...}}`. Output is written without `process.exit`, so nothing is
 * lost through a pipe.
 */
import * as fs from "fs";
import * as path from "path";
import { didYouMean } from "../../components/core/validation";
import { packageRoot } from "../paths";
import { loadStackConfig } from "./config";
import { PLAN_FORMAT_VERSION, planPassed } from "./document";
import { classify, EXIT, PlanInputError } from "./errors";
import type { PlanResult } from "./result";
import { loadPolicyConfig } from "./policy-config";
import { isJunitReport, isMarkdownReport, isSarifReport, junitReport, markdownReport, ReportContext, sarifReport } from "./reports";
import { componentSources } from "./sources";
import { renderSummary } from "./summary";
import { abandonOutFolder, abandonReportFile, OutFolder, prepareOutFolder, prepareReportFile, ReportFile, writeOutFolder, writeReportFile } from "./write";

export const USAGE = `usage: npm run plan -- --stack NAME [options]
  --stack NAME            the stack file Pulumi.NAME.yaml (required)
  --target aws|kubernetes override the stack's target
  --set KEY=VALUE         override one config key (repeatable; arrays as JSON)
  --policy-config FILE    policy pack config (default: policies/config/NAME.json)
  --config-file FILE      the stack's config from FILE instead of Pulumi.NAME.yaml (as pulumi
                          --config-file); the policy config still defaults by NAME
  --dir FOLDER            the Pulumi program to plan (default: this repository's in a checkout,
                          else the current folder); another program must be compiled (its main)
  --json                  print one JSON document (also for errors)
  --out FOLDER            write plan.json, manifests/, architecture.mmd
  --sarif FILE            write a SARIF 2.1.0 report
  --junit FILE            write a JUnit XML report
  --summary FILE          write a Markdown summary
  --compare NAME[,NAME]   plan Pulumi.NAME.yaml too and print them side by side (cost, capacity);
                          repeatable: --compare staging,production shows three environments
  --stack-reference NAME=FILE
                          the outputs a StackReference to NAME reads: a plan.json (its outputs)
                          or a JSON object (repeatable)
  --help                  this text
exit codes: 0 pass, 1 mandatory policy violated or the stack does not fit its cluster,
            2 bad input, 3 internal error`;

interface FlagSpec {
    value: boolean;
    repeatable?: boolean;
}

const FLAGS: Record<string, FlagSpec> = {
    "--stack": { value: true },
    "--target": { value: true },
    "--set": { value: true, repeatable: true },
    "--policy-config": { value: true },
    "--dir": { value: true },
    "--config-file": { value: true },
    "--json": { value: false },
    "--out": { value: true },
    "--sarif": { value: true },
    "--junit": { value: true },
    "--summary": { value: true },
    "--compare": { value: true, repeatable: true },
    "--stack-reference": { value: true, repeatable: true },
    "--help": { value: false },
};

export interface CliArgs {
    stack?: string;
    target?: "aws" | "kubernetes";
    json: boolean;
    out?: string;
    sarif?: string;
    junit?: string;
    summary?: string;
    /** Stacks to plan and show beside --stack, in order. */
    compare: string[];
    policyConfig?: string;
    set: Record<string, string>;
    dir?: string;
    /** `--config-file`: the stack file to read instead of the program folder's Pulumi.NAME.yaml. */
    configFile?: string;
    /** `--stack-reference`: stack name -> outputs. */
    stackReferences: Record<string, Record<string, unknown>>;
    help: boolean;
}

/** The outputs of a referenced stack: a plan.json document's `outputs`, or a JSON object of outputs. */
function readStackOutputs(flag: string, file: string): Record<string, unknown> {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PlanInputError(
            `${flag}: cannot read ${JSON.stringify(file)} as JSON (${(e as Error).message.split("\n")[0]}); allowed: a plan.json or a JSON object of outputs`,
        );
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc))
        throw new PlanInputError(`${flag}: ${file} is not a JSON object; allowed: a plan.json or a JSON object of outputs`);
    const outputs = (doc as { formatVersion?: unknown; outputs?: unknown }).formatVersion !== undefined ? (doc as { outputs?: unknown }).outputs : doc;
    if (outputs === null || typeof outputs !== "object" || Array.isArray(outputs)) throw new PlanInputError(`${flag}: ${file} has no outputs object`);
    return outputs as Record<string, unknown>;
}

/** Parses argv strictly: unknown, repeated and value-less flags are errors naming the flag. */
export function parseArgs(argv: string[]): CliArgs {
    const args: CliArgs = { json: false, set: {}, stackReferences: {}, compare: [], help: false };
    const seen = new Set<string>();
    for (let i = 0; i < argv.length; i++) {
        let flag = argv[i];
        let inline: string | undefined;
        if (flag.startsWith("--") && flag.includes("=")) [flag, inline] = [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)];
        const spec = FLAGS[flag];
        if (!spec) {
            const what = flag.startsWith("-")
                ? `unknown flag "${flag}"${didYouMean(flag, Object.keys(FLAGS))}`
                : `unexpected argument "${flag}" (values follow their flag)`;
            throw new PlanInputError(`${what}\n${USAGE}`);
        }
        if (seen.has(flag) && !spec.repeatable) throw new PlanInputError(`${flag} given twice; allowed: once`);
        seen.add(flag);
        let value: string | undefined;
        if (spec.value) {
            value = inline ?? argv[++i];
            if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new PlanInputError(`${flag} needs a value\n${USAGE}`);
            if (value.trim() === "") throw new PlanInputError(`${flag}: got ""; allowed: a non-empty value`);
            // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
            if (/[\u0000-\u001f\u007f]/.test(value)) throw new PlanInputError(`${flag}: got ${JSON.stringify(value)}; allowed: no control characters`);
        } else if (inline !== undefined) throw new PlanInputError(`${flag} takes no value (got "${inline}")`);
        switch (flag) {
            case "--stack":
                args.stack = value;
                break;
            case "--target":
                if (value !== "aws" && value !== "kubernetes") throw new PlanInputError(`--target: got ${JSON.stringify(value)}; allowed: aws, kubernetes`);
                args.target = value;
                break;
            case "--set": {
                const eq = value!.indexOf("=");
                if (eq <= 0) throw new PlanInputError(`--set: got ${JSON.stringify(value)}; allowed: KEY=VALUE`);
                const key = value!.slice(0, eq);
                if (key in args.set) throw new PlanInputError(`--set ${key} given twice; allowed: once per key`);
                args.set[key] = value!.slice(eq + 1);
                break;
            }
            case "--policy-config":
                args.policyConfig = value;
                break;
            case "--dir":
                args.dir = value;
                break;
            case "--config-file":
                args.configFile = value;
                break;
            case "--json":
                args.json = true;
                break;
            case "--out":
                args.out = value;
                break;
            case "--sarif":
                args.sarif = value;
                break;
            case "--junit":
                args.junit = value;
                break;
            case "--summary":
                args.summary = value;
                break;
            case "--compare":
                args.compare.push(...value!.split(",").map((x) => x.trim()));
                break;
            case "--stack-reference": {
                const eq = value!.indexOf("=");
                if (eq <= 0) throw new PlanInputError(`--stack-reference: got ${JSON.stringify(value)}; allowed: NAME=FILE (a plan.json or a JSON object)`);
                const name = value!.slice(0, eq);
                if (name in args.stackReferences) throw new PlanInputError(`--stack-reference ${name} given twice; allowed: once per stack`);
                args.stackReferences[name] = readStackOutputs(`--stack-reference ${name}`, value!.slice(eq + 1));
                break;
            }
            case "--help":
                args.help = true;
                break;
        }
    }
    if (!args.help && !args.stack) throw new PlanInputError(`--stack is required\n${USAGE}`);
    if (args.compare.length > 0) {
        for (const c of args.compare)
            if (!c || c === args.stack || args.compare.indexOf(c) !== args.compare.lastIndexOf(c))
                throw new PlanInputError(`--compare: got ${JSON.stringify(c)}; allowed: a stack other than --stack, each once`);
        const single = ["--out", "--sarif", "--junit", "--summary", "--policy-config", "--config-file"].filter((f) => seen.has(f));
        if (single.length > 0)
            throw new PlanInputError(`--compare cannot be combined with ${single.join(", ")} (they describe one stack); allowed: run the plan once per stack`);
    }
    const paths = [args.out, args.sarif, args.junit, args.summary].filter((p): p is string => !!p).map((p) => path.resolve(p));
    if (new Set(paths).size !== paths.length) throw new PlanInputError("--out, --sarif, --junit and --summary must name different paths");
    return args;
}

/** Where the output of one run goes. */
interface Destinations {
    out?: OutFolder;
    sarif?: ReportFile;
    junit?: ReportFile;
    summary?: ReportFile;
}

function prepare(args: CliArgs): Destinations {
    const d: Destinations = {};
    try {
        if (args.out) d.out = prepareOutFolder(args.out);
        if (args.sarif) d.sarif = prepareReportFile("--sarif", args.sarif, isSarifReport);
        if (args.junit) d.junit = prepareReportFile("--junit", args.junit, isJunitReport);
        if (args.summary) d.summary = prepareReportFile("--summary", args.summary, isMarkdownReport);
        for (const r of [d.sarif, d.junit, d.summary])
            if (r && d.out && (r.file + path.sep).startsWith(d.out.dir + path.sep))
                throw new PlanInputError(`${r.flag}: ${r.file} is inside the --out folder; allowed: a path outside it`);
    } catch (e) {
        abandon(d);
        throw e;
    }
    return d;
}

function abandon(d: Destinations): void {
    if (d.out) abandonOutFolder(d.out);
    for (const r of [d.sarif, d.junit, d.summary]) if (r) abandonReportFile(r);
}

function packageVersion(): string {
    try {
        return String(JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")).version);
    } catch {
        return "0.0.0";
    }
}

function reportContext(result: PlanResult): ReportContext {
    const main = fs.existsSync(path.join(result.root, "index.ts")) ? "index.ts" : "index.js";
    return {
        baseDir: process.cwd(),
        sources: componentSources(packageRoot()),
        programFile: { file: path.join(result.root, main), line: 1 },
        version: packageVersion(),
    };
}

/** What one CLI run prints and returns; `main` writes it. */
export interface CliOutcome {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs the CLI and returns its outcome without writing to stdout/stderr or exiting. */
export async function runCli(argv: string[]): Promise<CliOutcome> {
    const json = argv.includes("--json");
    let destinations: Destinations = {};
    try {
        const args = parseArgs(argv);
        if (args.help) return { code: EXIT.pass, stdout: USAGE + "\n", stderr: "" };
        // Everything the user gave is checked before the Pulumi SDK is even loaded: bad input fails
        // in a fraction of a second and writes nothing.
        const options = {
            stack: args.stack!,
            target: args.target,
            set: args.set,
            dir: args.dir,
            configFile: args.configFile,
            policyConfigFile: args.policyConfig,
            stackReferences: args.stackReferences,
        };
        const stack = loadStackConfig(options);
        loadPolicyConfig(options.policyConfigFile, options.stack, stack.ownProgram);
        if (args.compare.length > 0) {
            const others = args.compare.map((name) => ({ ...options, stack: name }));
            for (const other of others) loadPolicyConfig(undefined, other.stack, loadStackConfig(other).ownProgram);
            const { plan } = await import("./index");
            const { compare, renderComparison } = await import("./compare");
            const documents = [];
            for (const o of [options, ...others]) documents.push((await plan(o)).document);
            const comparison = compare(...documents);
            return {
                code: comparison.passed.every((p) => p) ? EXIT.pass : EXIT.violation,
                stdout: (json ? JSON.stringify(comparison, null, 2) : renderComparison(comparison)) + "\n",
                stderr: "",
            };
        }
        destinations = prepare(args);
        const { plan, planFiles } = await import("./index");
        const result = await plan(options);
        const notes: string[] = result.document.warnings.map((w) => `warning: ${w}`);
        if (destinations.out) {
            const files = writeOutFolder(destinations.out, planFiles(result));
            notes.push(`wrote ${files.length} files to ${args.out}`);
        }
        if (destinations.sarif || destinations.junit || destinations.summary) {
            const ctx = reportContext(result);
            if (destinations.sarif) writeReportFile(destinations.sarif, JSON.stringify(sarifReport(result, ctx), null, 2) + "\n");
            if (destinations.junit) writeReportFile(destinations.junit, junitReport(result));
            if (destinations.summary) writeReportFile(destinations.summary, markdownReport(result));
            for (const r of [destinations.sarif, destinations.junit, destinations.summary]) if (r) notes.push(`wrote ${r.flag.slice(2)} report ${r.file}`);
        }
        return {
            code: planPassed(result.document) ? EXIT.pass : EXIT.violation,
            stdout: (json ? JSON.stringify(result.document, null, 2) : renderSummary(result)) + "\n",
            stderr: notes.map((n) => `plan: ${n}\n`).join(""),
        };
    } catch (e) {
        abandon(destinations);
        const failure = classify(e);
        const debug = process.env.RAGSTACK_PLAN_DEBUG === "1" && e instanceof Error && failure.exitCode === EXIT.internal ? `${e.stack}\n` : "";
        return {
            code: failure.exitCode,
            stdout: json ? JSON.stringify({ formatVersion: PLAN_FORMAT_VERSION, error: failure }, null, 2) + "\n" : "",
            stderr: `plan: ${failure.message}\n${debug}`,
        };
    }
}

/** Runs the CLI, writes its output and sets the exit code (never `process.exit`: pipes drain). */
export async function main(argv: string[]): Promise<number> {
    const outcome = await runCli(argv);
    // A reader that closes early (`| head`) ends the output, quietly and successfully, as Unix
    // tools do: no EPIPE stack trace.
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") throw e;
        process.exit(0);
    });
    if (outcome.stderr) process.stderr.write(outcome.stderr);
    if (outcome.stdout) process.stdout.write(outcome.stdout);
    process.exitCode = outcome.code;
    return outcome.code;
}
