/**
 * The release, one script for the tag's workflow (.github/workflows/release.yml) and for CI's
 * dry-run (.ci/run), so that what CI checks on every change is what a tag runs:
 *
 *   node dist/tools/release.js changelog [<version> [FILE]]   the `version` lifecycle script of `npm version`
 *       (version: npm's npm_package_version, the bumped one): CHANGELOG.md's (or FILE's) [Unreleased]
 *       becomes `## [<version>] - <date>` under a new, empty [Unreleased] (date: RAGSTACK_RELEASE_DATE or today, UTC)
 *   node dist/tools/release.js [--dry-run] [--out DIR] [--org ORG]
 *       checks the CHANGELOG and the image lock (images.lock.json: every default pinned by digest;
 *       a dry-run only reports it), packs the library (`npm pack`, from the dist/ already built), writes its
 *       CycloneDX SBOM beside the tarball (`npm sbom`), builds the publishable policy pack folder, then
 *       publishes: `npm publish --provenance --access public <tgz>` and `pulumi policy publish <org> <dir>`.
 *       With --dry-run the publishing commands are printed, never run.
 *
 * The policy pack folder: `pulumi policy publish` packs the folder it is given (for a Node.js pack,
 * as `npm pack` does) and the service installs it with npm where the pack runs. The repository's
 * policies/ loads the repository's own dist/ (policies/pack.js requires ../bootstrap), so it cannot be
 * published as it is; the release writes `<out>/policy-pack/`: PulumiPolicy.yaml, a package.json
 * depending on this very version of the library (published first) and on its Pulumi peers, and an
 * index.js that builds the same pack (`createPolicyPack(optionsFromEnv())`, as policies/index.ts).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { IMAGE_LOCK_FILE, lockedReference, lockState, parseImageLock, PIN_IMAGES_SCRIPT } from "../components/core/images";

const ROOT = path.resolve(__dirname, "..", "..");

/** The heading of the unreleased section. */
const UNRELEASED = "## [Unreleased]";

/** The body of CHANGELOG's [Unreleased] section (up to the next `## ` heading), trimmed; undefined without the heading. */
export function unreleasedBody(changelog: string): string | undefined {
    const start = changelog.indexOf(`\n${UNRELEASED}\n`);
    if (start < 0) return undefined;
    const bodyStart = start + UNRELEASED.length + 2;
    const next = changelog.indexOf("\n## ", bodyStart - 1);
    return changelog.slice(bodyStart, next < 0 ? undefined : next).trim();
}

/** A semantic version without a leading v (1.2.3, 1.2.3-rc.1). */
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * CHANGELOG text with its [Unreleased] section turned into `## [version] - date` and a new, empty
 * [Unreleased] above it. Refuses an invalid version, a missing or empty [Unreleased] and a version
 * that already has its section.
 */
export function releaseChangelog(changelog: string, version: string, date: string): string {
    if (!SEMVER.test(version)) throw new Error(`release: version "${version}" is not a semantic version such as 1.2.3`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`release: date "${date}" is not YYYY-MM-DD`);
    const body = unreleasedBody(changelog);
    if (body === undefined) throw new Error(`release: CHANGELOG.md has no "${UNRELEASED}" section`);
    if (body === "") throw new Error(`release: CHANGELOG.md's [Unreleased] section is empty: nothing to release`);
    if (changelog.includes(`\n## [${version}]`)) throw new Error(`release: CHANGELOG.md already has a section for ${version}`);
    return changelog.replace(`\n${UNRELEASED}\n`, `\n${UNRELEASED}\n\n## [${version}] - ${date}\n`);
}

interface Options {
    dryRun: boolean;
    out: string;
    org: string;
}

function parseArgs(argv: string[]): Options {
    const o: Options = { dryRun: false, out: path.join(ROOT, "release-out"), org: process.env.PULUMI_POLICY_ORG ?? "" };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--dry-run") o.dryRun = true;
        else if (a === "--out" && argv[i + 1]) o.out = path.resolve(argv[++i]);
        else if (a === "--org" && argv[i + 1]) o.org = argv[++i];
        else throw new Error(`release: unknown argument "${a}" (usage: release.js [--dry-run] [--out DIR] [--org ORG] | changelog <version>)`);
    }
    return o;
}

function run(cmd: string, args: string[], cwd = ROOT): string {
    const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`release: ${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout ?? ""}${r.stderr ?? ""}`);
    return r.stdout;
}

const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;

/** The publishable policy pack folder for library `version`. */
export function writePolicyPack(dir: string, version: string): void {
    const lib = readJson(path.join(ROOT, "package.json"));
    const peers = lib.peerDependencies as Record<string, string>;
    const own = readJson(path.join(ROOT, "policies", "package.json"));
    const yaml = fs.readFileSync(path.join(ROOT, "policies", "PulumiPolicy.yaml"), "utf8");
    const name = /^name:\s*(\S+)\s*$/m.exec(yaml)?.[1];
    if (!name) throw new Error("release: policies/PulumiPolicy.yaml has no name");
    const description = `${String(own.description ?? "").split(". ")[0]}. Published with ${String(lib.name)}@${version}.`;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
        path.join(dir, "PulumiPolicy.yaml"),
        // JSON strings are YAML strings: the description holds colons
        `runtime: nodejs\nname: ${name}\nversion: ${version}\ndescription: ${JSON.stringify(description)}\n`,
    );
    fs.writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify(
            {
                name: `@ragstack/${name}`,
                version,
                private: true,
                description,
                license: lib.license,
                main: "index.js",
                dependencies: {
                    [String(lib.name)]: version,
                    "@pulumi/policy": peers["@pulumi/policy"],
                    "@pulumi/pulumi": peers["@pulumi/pulumi"],
                },
            },
            null,
            2,
        ) + "\n",
    );
    fs.writeFileSync(
        path.join(dir, "index.js"),
        [
            `// The CrossGuard pack of ${String(lib.name)}@${version}: the same rules as the repository's policies/index.ts.`,
            `"use strict";`,
            `const { optionsFromEnv } = require("${String(lib.name)}/policies");`,
            `const { createPolicyPack } = require("${String(lib.name)}/policies/pack");`,
            `createPolicyPack(optionsFromEnv());`,
            "",
        ].join("\n"),
    );
}

/**
 * What the release needs of CHANGELOG.md: for real, the version's dated section (made by
 * `npm version`) and the tag naming the version; in a dry-run, an [Unreleased] section with
 * content (what the next `npm version` needs), or, on the release commit itself, the version's
 * section under an empty [Unreleased]. Returns what it found; throws what is wrong.
 */
export function checkChangelog(changelog: string, version: string, dryRun: boolean, tag?: string): string {
    const released = new RegExp(`\\n## \\[${version.replace(/\./g, "\\.")}\\] - \\d{4}-\\d{2}-\\d{2}\\n`).test(changelog);
    if (dryRun) {
        if (unreleasedBody(changelog) === "" && released)
            return `release: CHANGELOG.md has ${version}'s section and an empty [Unreleased] (the release commit)`;
        releaseChangelog(changelog, "999.0.0", "2000-01-01"); // what the next `npm version` will do
        return "release: CHANGELOG.md's [Unreleased] has content (the next `npm version` turns it into its section)";
    }
    if (tag !== undefined && tag !== `v${version}`) throw new Error(`release: tag ${tag} is not v${version} (package.json's version)`);
    if (!released) throw new Error(`release: CHANGELOG.md has no "## [${version}] - <date>" section (cut the release with npm version)`);
    return `release: CHANGELOG.md has ${version}'s section`;
}

/**
 * The state of the image lock (images.lock.json): how many default images are pinned by digest.
 * For real, an unpinned default fails the release (the workflow's tools/pin-images.sh --check
 * refuses it first); in a dry-run it is reported, since no registry is reached there.
 */
export function checkImageLock(lockText: string, dryRun: boolean): string {
    const lock = parseImageLock(lockText);
    const { pinned, unpinned } = lockState(lock);
    const total = pinned.length + unpinned.length;
    const list = unpinned.map((n) => `${n} (${lockedReference(lock.images[n])})`).join(", ");
    if (unpinned.length === 0) return `release: ${IMAGE_LOCK_FILE}: all ${total} default images pinned by digest`;
    if (!dryRun)
        throw new Error(`release: ${IMAGE_LOCK_FILE}: ${unpinned.length} of ${total} default images have no digest: ${list}; run ${PIN_IMAGES_SCRIPT} first`);
    return `release: ${IMAGE_LOCK_FILE}: ${pinned.length} of ${total} default images pinned by digest, ${unpinned.length} unpinned (${list}): the release workflow runs ${PIN_IMAGES_SCRIPT} and refuses to publish an unpinned default`;
}

/** The release; returns the publishing commands it ran (or, in a dry-run, would have run). */
export function release(o: Options, log: (line: string) => void = (l) => process.stdout.write(l + "\n")): string[][] {
    const pkg = readJson(path.join(ROOT, "package.json"));
    const version = String(pkg.version);
    const changelog = fs.readFileSync(path.join(ROOT, "CHANGELOG.md"), "utf8");
    log(checkChangelog(changelog, version, o.dryRun, process.env.GITHUB_REF_NAME));
    if (!o.dryRun) {
        if (!o.org) throw new Error("release: the Pulumi organization for the policy pack is not set (--org or PULUMI_POLICY_ORG)");
    }
    log(checkImageLock(fs.readFileSync(path.join(ROOT, IMAGE_LOCK_FILE), "utf8"), o.dryRun));
    for (const entry of ["facade/index.js", "policies/lib/pack.js"])
        if (!fs.existsSync(path.join(ROOT, "dist", entry))) throw new Error(`release: dist/${entry} is missing: build first (npm ci or npm run build)`);
    fs.mkdirSync(o.out, { recursive: true });
    // --ignore-scripts: the build is the one the tests ran on (prepare would compile again)
    const packed = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", o.out])) as {
        filename: string;
        files: { path: string }[];
    }[];
    const tgz = path.join(o.out, packed[0].filename);
    // the policy pack folder's index.js loads these two exports from the published tarball
    const exportsMap = pkg.exports as Record<string, { default: string }>;
    for (const sub of ["./policies", "./policies/pack"]) {
        const file = exportsMap[sub].default.replace(/^\.\//, "");
        if (!packed[0].files.some((f) => f.path === file)) throw new Error(`release: ${tgz} lacks ${file} (export "${sub}"), which the policy pack loads`);
    }
    // the components read their default images from the lock at the package's root
    if (!packed[0].files.some((f) => f.path === IMAGE_LOCK_FILE)) throw new Error(`release: ${tgz} lacks ${IMAGE_LOCK_FILE}, which the components read`);
    log(`release: packed ${path.relative(ROOT, tgz)}`);
    const sbom = tgz.replace(/\.tgz$/, ".cdx.json");
    // the dependencies the package brings to its users (dev dependencies are not shipped)
    fs.writeFileSync(sbom, run("npm", ["sbom", "--sbom-format", "cyclonedx", "--sbom-type", "library", "--omit", "dev", "--package-lock-only"]));
    const bom = readJson(sbom);
    if (bom.bomFormat !== "CycloneDX") throw new Error(`release: ${sbom} is not a CycloneDX SBOM`);
    // npm 11's `--omit dev --package-lock-only` leaves out a runtime dependency that a dev dependency
    // also requires (yaml here): each of package.json's dependencies missing from the SBOM is added
    // from package-lock.json (its locked version, integrity and licence), and said so.
    const lock = readJson(path.join(ROOT, "package-lock.json")).packages as Record<string, Record<string, string>>;
    const components = bom.components as Record<string, unknown>[];
    for (const dep of Object.keys((pkg.dependencies as Record<string, string>) ?? {})) {
        if (components.some((c) => (c.group ? `${String(c.group)}/${String(c.name)}` : c.name) === dep)) continue;
        const locked = lock[`node_modules/${dep}`];
        if (!locked) throw new Error(`release: dependency ${dep} is not in package-lock.json`);
        const ref = `${dep}@${locked.version}`;
        components.push({
            "bom-ref": ref,
            type: "library",
            name: dep,
            version: locked.version,
            scope: "required",
            purl: `pkg:npm/${dep.replace("@", "%40")}@${locked.version}`,
            ...(locked.license ? { licenses: [{ license: { id: locked.license } }] } : {}),
            hashes: [{ alg: "SHA-512", content: Buffer.from(locked.integrity.replace(/^sha512-/, ""), "base64").toString("hex") }],
        });
        log(`release: SBOM: added ${ref} from package-lock.json (npm sbom left it out)`);
    }
    fs.writeFileSync(sbom, JSON.stringify(bom, null, 2) + "\n");
    log(`release: SBOM ${path.relative(ROOT, sbom)} (CycloneDX ${String(bom.specVersion)}, ${(bom.components as unknown[]).length} components)`);
    const packDir = path.join(o.out, "policy-pack");
    writePolicyPack(packDir, version);
    log(`release: policy pack folder ${path.relative(ROOT, packDir)} (${String(pkg.name)}@${version})`);
    const commands = [
        ["npm", "publish", "--provenance", "--access", "public", tgz],
        ["pulumi", "policy", "publish", o.org || "<org>", packDir],
    ];
    for (const c of commands) {
        if (o.dryRun) log(`dry-run: would run: ${c.join(" ")}`);
        else {
            log(`release: ${c.join(" ")}`);
            run(c[0], c.slice(1));
        }
    }
    return commands;
}

/**
 * Sets the component package's version (provider/package.json and its lockfile) to `version`, the
 * library's: `pulumi package get-schema` reports it and test/package.test.ts holds them equal.
 */
export function syncProviderVersion(root: string, version: string): string {
    for (const name of ["package.json", "package-lock.json"]) {
        const file = path.join(root, "provider", name);
        const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string; packages?: Record<string, { version?: string }> };
        doc.version = version;
        if (doc.packages?.[""]) doc.packages[""].version = version;
        fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    }
    return `release: provider/package.json and provider/package-lock.json are at ${version}`;
}

export function main(argv: string[]): number {
    try {
        if (argv[0] === "changelog") {
            const version = argv[1] ?? process.env.npm_package_version;
            if (!version) throw new Error("release: changelog needs a version (npm version sets npm_package_version)");
            const file = path.resolve(argv[2] ?? path.join(ROOT, "CHANGELOG.md"));
            const date = process.env.RAGSTACK_RELEASE_DATE ?? new Date().toISOString().slice(0, 10);
            fs.writeFileSync(file, releaseChangelog(fs.readFileSync(file, "utf8"), version, date));
            process.stdout.write(`release: ${path.basename(file)}: [Unreleased] is now [${version}] - ${date}\n`);
            // The component package (provider/) is published at the library's version: npm version bumps only the root.
            if (argv[2] === undefined) process.stdout.write(`${syncProviderVersion(ROOT, version)}\n`);
            return 0;
        }
        release(parseArgs(argv));
        return 0;
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        return 1;
    }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
