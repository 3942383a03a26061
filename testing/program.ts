/**
 * Runs the real Pulumi program (`index.ts`, compiled) under the mocks harness with the config
 * of `Pulumi.<stack>.yaml`, like `pulumi preview` would, and returns every registered resource
 * and the stack outputs. Used by the tests and by the offline plan.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { installMocks, ResourceLog, settle, valueOf } from "./mocks";
import { packageRoot, repoRoot, repoRootOrNull } from "./paths";
import { retargetConfig } from "../environments/config";

export { packageRoot, repoRoot };

export const PROJECT = "rag-platform";

/** Reads `Pulumi.<stack>.yaml` into fully qualified config strings (arrays as JSON). */
export function readStackConfig(stack: string, root = repoRoot()): Record<string, string> {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = fs
            .readdirSync(root)
            .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
            .map((f) => f.split(".")[1]);
        throw new Error(`unknown stack "${stack}": ${file} does not exist (stacks here: ${known.join(", ")})`);
    }
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
        out[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return out;
}

export interface ProgramRun {
    stack: string;
    config: Record<string, string>;
    resources: ResourceLog;
    outputs: Record<string, unknown>;
}

/** Project name of a program folder (its Pulumi.yaml). */
export function projectName(dir: string): string {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) throw new Error(`no Pulumi.yaml in ${dir}`);
    return String(YAML.parse(fs.readFileSync(file, "utf8")).name);
}

/**
 * The JavaScript entry point of a program folder: for this repository's programs (the root
 * program and the examples) the compiled `dist/<folder>/index.js`.
 */
export function programEntry(root: string): string {
    const home = repoRootOrNull();
    const rel = home ? path.relative(home, root) : "..";
    if (home && !rel.startsWith("..") && !path.isAbsolute(rel)) return path.join(home, "dist", rel, "index.js");
    return externalEntry(root);
}

/**
 * The JavaScript entry point of another program, as the Node.js language host finds it: the
 * `main` of Pulumi.yaml (a file, or a folder with a package.json `main` or an index.js), else the
 * `main` of its package.json, else index.js. TypeScript sources are not compiled here: compile
 * the program first (tsc) and point `main` at the output.
 */
export function externalEntry(root: string): string {
    const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { main?: string };
    const fromPackage = (dir: string): string | undefined => {
        const pkg = path.join(dir, "package.json");
        const main = fs.existsSync(pkg) ? (JSON.parse(fs.readFileSync(pkg, "utf8")) as { main?: string }).main : undefined;
        return main ? path.join(dir, main) : undefined;
    };
    const resolveFile = (p: string): string | undefined => {
        for (const candidate of [p, `${p}.js`, path.join(p, "index.js")]) if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
        return undefined;
    };
    const base = project.main ? path.resolve(root, project.main) : root;
    const isDir = fs.existsSync(base) && fs.statSync(base).isDirectory();
    const entry =
        resolveFile((isDir ? fromPackage(base) : undefined) ?? base) ??
        (!project.main ? resolveFile(fromPackage(root) ?? path.join(root, "index.js")) : undefined);
    if (!entry) {
        const ts = fs.existsSync(path.join(base, "index.ts")) || fs.existsSync(`${base}.ts`);
        throw new Error(
            `${root}: no JavaScript entry point found${project.main ? ` at main: ${project.main}` : ""}${ts ? " (TypeScript sources only: compile them first with tsc and set main in Pulumi.yaml to the output)" : ""}`,
        );
    }
    return entry;
}

/**
 * Runs a program folder under the mocks with fully qualified config (`project:key` -> string),
 * as `pulumi preview` would: every registration is recorded, the exported values resolved, and
 * engine invariants checked (EngineInvariantError).
 */
export async function runProgramWithConfig(
    root: string,
    project: string,
    stack: string,
    config: Record<string, string>,
    stackReferences: Record<string, Record<string, unknown>> = {},
): Promise<ProgramRun> {
    // The account a stack names (rag-platform:awsAccountId) is the one the mocked AWS reports.
    const resources = installMocks({
        project,
        stack,
        region: config["aws:region"] ?? "eu-west-1",
        config,
        accountId: config[`${project}:awsAccountId`] || undefined,
        stackReferences,
    });
    const entry = programEntry(root);
    for (const id of Object.keys(require.cache)) if (id === entry) delete require.cache[id];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(entry) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(mod)) outputs[k] = await valueOf(v as never);
    await settle(resources);
    return { stack, config, resources, outputs };
}

/**
 * Runs a program for a stack. `overrides` are config keys without the project prefix
 * (`target`, `dbMultiAz`, ...) with string values, applied over the stack file. `dir` is the
 * program folder relative to the repository (default: the repository's own program).
 */
export async function runProgram(stack: string, overrides: Record<string, string> = {}, dir = "."): Promise<ProgramRun> {
    const root = path.resolve(repoRoot(), dir);
    const project = projectName(root);
    const config = readStackConfig(stack, root);
    const target = overrides.target ?? overrides[`${project}:target`];
    const retargeted = target !== undefined && overrides.otherTargets === undefined ? retargetConfig(config, project, target) : config;
    for (const [k, v] of Object.entries(overrides)) retargeted[k.includes(":") ? k : `${project}:${k}`] = v;
    return runProgramWithConfig(root, project, stack, retargeted);
}
