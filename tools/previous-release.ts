/**
 * The previous release, built the way teams get it: `npm pack` of its tree, unpacked as an
 * installed package beside its own Pulumi program. The upgrade checks (test/upgrade.test.ts under
 * the mocks, the engine check's upgrade step) run that program, then the current code, on the same
 * stack files.
 *
 * Which release: the latest `v*` tag reachable from HEAD whose commit is not HEAD (on a release
 * commit, the release before it); while there is no tag, the commit pinned in
 * tools/previous-release.json, with its reason. A shallow clone is deepened first (`git fetch
 * --unshallow --tags`: it knows neither the tags nor their commits), a clone lacking the pinned
 * commit fetches it; failing either, the build stops with what to do.
 *
 * The build, into `<cache>/<commit>/` (`RAGSTACK_PREVIOUS_RELEASE_CACHE`, default
 * `~/.cache/ragstack/previous-release`), reused while its `build.json` says it is complete:
 *
 *   src/        `git archive` of the commit; node_modules: this checkout's when the two
 *               package-lock.json files lock the same packages (the versions of the package itself
 *               aside), else `npm ci --ignore-scripts`; then `tsc -p tsconfig.json`
 *   *.tgz       `npm pack --ignore-scripts` of src/ (what `npm publish` uploads)
 *   program/    the Pulumi project a team would have: the release's Pulumi.yaml (main: index.js) and
 *               stack files, the tarball unpacked as node_modules/@ragstack/pulumi-rag-platform, the
 *               other dependencies linked from src/node_modules, and index.js: the release's own
 *               program (index.ts, compiled in src/dist) with its imports pointed into the package
 *
 *   node dist/tools/previous-release.js [--rebuild]   builds (or finds) it and prints build.json
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PACKAGE_NAME, repoRoot } from "../testing/paths";

/** Bumped when the layout of a build changes: older builds in the cache are rebuilt. */
const BUILD_FORMAT = 1;

export interface PreviousRelease {
    /** The tag (v0.2.0) or the pinned commit's short id. */
    ref: string;
    kind: "tag" | "pinned";
    commit: string;
    /** Why this one (the tag, or the pinned entry's reason). */
    reason: string;
    /** The package's version in that release (package.json). */
    version: string;
    dir: string;
    /** The tarball `npm pack` wrote, and its SHA-256. */
    tarball: string;
    sha256: string;
    /** The Pulumi project folder (Pulumi.yaml, stack files, index.js, node_modules). */
    program: string;
    /** node_modules of the build: "reused" (the lockfiles lock the same packages) or "npm ci". */
    nodeModules: "reused" | "npm ci";
    format: number;
}

function git(args: string[], cwd: string, timeoutMs?: number): { code: number | null; out: string; err: string } {
    const r = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 512 * 1024 * 1024, timeout: timeoutMs });
    return { code: r.status, out: r.stdout ?? "", err: r.stderr ?? "" };
}

function must(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
    const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
    if (r.status !== 0)
        throw new Error(
            `previous release: ${cmd} ${args.join(" ")} failed in ${cwd} (${r.status ?? r.signal}):\n${(r.stdout ?? "").slice(-3000)}${(r.stderr ?? "").slice(-3000)}`,
        );
    return r.stdout;
}

/** Version tags (v1.2.3) ordered newest first by semantic version. */
export function newestTagFirst(tags: string[]): string[] {
    const parse = (t: string) => /^v(\d+)\.(\d+)\.(\d+)(-.+)?$/.exec(t);
    return tags
        .filter((t) => parse(t))
        .sort((a, b) => {
            const x = parse(a)!;
            const y = parse(b)!;
            for (const i of [1, 2, 3]) if (Number(x[i]) !== Number(y[i])) return Number(y[i]) - Number(x[i]);
            // 1.2.3 is newer than 1.2.3-rc.1
            if (!x[4] !== !y[4]) return x[4] ? 1 : -1;
            return (y[4] ?? "").localeCompare(x[4] ?? "");
        });
}

/** The previous release's ref and commit (not built). */
export function resolvePrevious(repo = repoRoot()): { ref: string; kind: "tag" | "pinned"; commit: string; reason: string } {
    if (git(["rev-parse", "--is-shallow-repository"], repo).out.trim() === "true") {
        // A shallow clone (CI's) knows neither the release tags nor their commits: deepen it first.
        const f = git(["fetch", "--quiet", "--unshallow", "--tags", "origin"], repo);
        if (f.code !== 0)
            throw new Error(
                `previous release: this clone is shallow and could not be deepened (${f.err.trim() || `exit ${f.code}`}): clone with full history to find the previous release tag`,
            );
    }
    const head = git(["rev-parse", "HEAD"], repo).out.trim();
    const latestTag = () => {
        const tags = git(["tag", "--merged", "HEAD", "--list", "v*"], repo).out.split("\n").filter(Boolean);
        for (const tag of newestTagFirst(tags)) {
            const commit = git(["rev-parse", `${tag}^{commit}`], repo).out.trim();
            if (commit && commit !== head) return { ref: tag, kind: "tag" as const, commit, reason: `the latest release tag before HEAD (${tag})` };
        }
        return undefined;
    };
    const tagged = latestTag();
    if (tagged) return tagged;
    // No tag, yet CHANGELOG.md records a release before HEAD's: a clone without tags (--no-tags,
    // or a checkout that fetched the branch only). Fetch them once; without them, say so.
    // HEAD's own version is a previous release unless HEAD is its release commit (the one that set it).
    const versionAt = (rev: string) => {
        const r = git(["show", `${rev}:package.json`], repo);
        return r.code === 0 ? (JSON.parse(r.out) as { version?: string }).version : undefined;
    };
    const headVersion = versionAt("HEAD");
    const headIsRelease = headVersion !== versionAt("HEAD~1");
    const released = releasedVersions(fs.readFileSync(path.join(repo, "CHANGELOG.md"), "utf8")).filter((v) => !(headIsRelease && v === headVersion));
    let notice = "";
    if (released.length > 0) {
        const tag = `v${released[0]}`;
        if (git(["tag", "--list", tag], repo).out.trim() !== "") {
            // The tag is here but not in HEAD's history (a branch cut before the release).
            notice = `CHANGELOG.md records release ${released[0]}, whose tag ${tag} is not an ancestor of HEAD: comparing with the pinned commit instead; `;
        } else {
            // Bounded: an origin out of reach (no network) must not hold the check up.
            const f = git(["fetch", "--quiet", "--tags", "origin"], repo, 60_000);
            const fetched = latestTag();
            if (fetched) return fetched;
            const why =
                f.code === null
                    ? "git fetch --tags origin timed out after 60 s"
                    : f.code !== 0
                      ? `git fetch --tags origin failed: ${f.err.trim().split("\n")[0] || `exit ${f.code}`}`
                      : `origin has no ${tag} either`;
            notice = `CHANGELOG.md records release ${released[0]} but this clone has no ${tag} tag (${why}): comparing with the pinned commit instead; `;
        }
        process.stderr.write(`previous release: ${notice}\n`);
    }
    const pinned = (JSON.parse(fs.readFileSync(path.join(repo, "tools", "previous-release.json"), "utf8")) as { pinned: { commit: string; reason: string } })
        .pinned;
    if (git(["cat-file", "-e", `${pinned.commit}^{commit}`], repo).code !== 0) {
        // A shallow or single-branch clone: fetch the commit itself (servers allow fetching a reachable commit by id).
        const f = git(["fetch", "--quiet", "origin", pinned.commit], repo);
        if (git(["cat-file", "-e", `${pinned.commit}^{commit}`], repo).code !== 0)
            throw new Error(
                `previous release: commit ${pinned.commit} (tools/previous-release.json) is not in this clone and could not be fetched (${f.err.trim() || `exit ${f.code}`}): clone with full history (git fetch --unshallow)`,
            );
    }
    return { ref: pinned.commit.slice(0, 7), kind: "pinned", commit: pinned.commit, reason: `${notice}${pinned.reason}` };
}

/** The released versions CHANGELOG.md records (its dated `## [x.y.z] - date` sections), newest first. */
export function releasedVersions(changelog: string): string[] {
    return [...changelog.matchAll(/^## \[(\d+\.\d+\.\d+(?:-[\w.]+)?)\] - \d{4}-\d{2}-\d{2}/gm)].map((m) => m[1]);
}

/** A package-lock.json without the package's own version (bumped by every release): what it locks. */
export function lockedPackages(lockText: string): string {
    const lock = JSON.parse(lockText) as { version?: string; packages?: Record<string, { version?: string }> };
    delete lock.version;
    if (lock.packages?.[""]) delete lock.packages[""].version;
    return JSON.stringify(lock);
}

/**
 * The compiled program with its relative imports (`require("./facade/stack")`) pointed into the
 * installed package (`./node_modules/<package>/dist/facade/stack`); throws when the package lacks
 * one (the program would import a file the release does not ship).
 */
export function pointImportsAtPackage(js: string, programDir: string): string {
    const pkg = `./node_modules/${PACKAGE_NAME}/dist/`;
    return js.replace(/require\("\.\/([^"]+)"\)/g, (_m, rel: string) => {
        const target = `${pkg}${rel}`;
        const file = path.join(programDir, target);
        if (![`${file}.js`, file, path.join(file, "index.js")].some((f) => fs.existsSync(f) && fs.statSync(f).isFile()))
            throw new Error(`previous release: the program imports ./${rel}, which the packed package does not ship (${target})`);
        return `require(${JSON.stringify(target)})`;
    });
}

function cacheRoot(repo: string): string {
    const root = path.resolve(
        process.env.RAGSTACK_PREVIOUS_RELEASE_CACHE ??
            path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "ragstack", "previous-release"),
    );
    // Inside the checkout, the previous program would be taken for one of this repository's (testing/program.ts programEntry).
    if (!path.relative(repo, root).startsWith(".."))
        throw new Error(`RAGSTACK_PREVIOUS_RELEASE_CACHE: ${root} is inside the checkout ${repo}; choose a folder outside it`);
    return root;
}

/** Builds the previous release (or finds its build in the cache). `log` receives progress lines. */
export function buildPrevious(opts: { rebuild?: boolean; log?: (line: string) => void } = {}): PreviousRelease {
    const log = opts.log ?? (() => undefined);
    const repo = repoRoot();
    const which = resolvePrevious(repo);
    const dir = path.join(cacheRoot(repo), which.commit);
    const doneFile = path.join(dir, "build.json");
    if (!opts.rebuild && fs.existsSync(doneFile)) {
        const done = JSON.parse(fs.readFileSync(doneFile, "utf8")) as PreviousRelease;
        if (done.format === BUILD_FORMAT && fs.existsSync(done.tarball) && fs.existsSync(path.join(done.program, "index.js"))) return { ...done, ...which };
    }
    const t0 = Date.now();
    fs.rmSync(dir, { recursive: true, force: true });
    const src = path.join(dir, "src");
    fs.mkdirSync(src, { recursive: true });
    log(`previous release ${which.ref} (${which.commit}): building in ${dir}`);

    // The tree of the commit, nothing of this checkout.
    const archive = spawnSync("git", ["archive", "--format=tar", which.commit], { cwd: repo, maxBuffer: 1024 * 1024 * 1024 });
    if (archive.status !== 0) throw new Error(`previous release: git archive ${which.commit} failed: ${archive.stderr}`);
    const untar = spawnSync("tar", ["-x", "-C", src], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`previous release: tar -x failed: ${untar.stderr}`);

    const sameLock =
        fs.existsSync(path.join(repo, "node_modules")) &&
        lockedPackages(fs.readFileSync(path.join(src, "package-lock.json"), "utf8")) ===
            lockedPackages(fs.readFileSync(path.join(repo, "package-lock.json"), "utf8"));
    if (sameLock) fs.symlinkSync(fs.realpathSync(path.join(repo, "node_modules")), path.join(src, "node_modules"));
    else {
        log("previous release: its package-lock.json locks other packages: npm ci");
        must("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], src);
    }
    const tsc = require.resolve("typescript/bin/tsc", { paths: [src] });
    must(process.execPath, [tsc, "-p", "tsconfig.json"], src);

    // What npm publish would upload (dist/ is built: no lifecycle scripts).
    const packed = JSON.parse(must("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], src)) as { filename: string; version: string }[];
    const tarball = path.join(dir, packed[0].filename);
    const sha256 = crypto.createHash("sha256").update(fs.readFileSync(tarball)).digest("hex");

    // The program folder: the package installed from the tarball, the release's program and stack files.
    const program = path.join(dir, "program");
    const installed = path.join(program, "node_modules", ...PACKAGE_NAME.split("/"));
    fs.mkdirSync(installed, { recursive: true });
    must("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"], dir);
    const deps = fs.realpathSync(path.join(src, "node_modules"));
    for (const e of fs.readdirSync(deps)) {
        if (e.startsWith(".")) continue; // .bin, .package-lock.json, caches
        if (e === PACKAGE_NAME.split("/")[0]) continue; // never shadow the package under test
        fs.symlinkSync(path.join(deps, e), path.join(program, "node_modules", e));
    }
    const compiled = path.join(src, "dist", "index.js");
    if (!fs.existsSync(compiled)) throw new Error(`previous release: ${which.ref} has no program (index.ts compiled to dist/index.js)`);
    fs.writeFileSync(path.join(program, "index.js"), pointImportsAtPackage(fs.readFileSync(compiled, "utf8"), program));
    const project = fs.readFileSync(path.join(src, "Pulumi.yaml"), "utf8");
    if (!/^main:.*$/m.test(project)) throw new Error(`previous release: ${which.ref}'s Pulumi.yaml has no main`);
    fs.writeFileSync(path.join(program, "Pulumi.yaml"), project.replace(/^main:.*$/m, "main: index.js"));
    for (const f of fs.readdirSync(src).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))) fs.copyFileSync(path.join(src, f), path.join(program, f));

    const done: PreviousRelease = {
        ...which,
        version: packed[0].version,
        dir,
        tarball,
        sha256,
        program,
        nodeModules: sameLock ? "reused" : "npm ci",
        format: BUILD_FORMAT,
    };
    fs.writeFileSync(doneFile, JSON.stringify(done, null, 2) + "\n");
    log(
        `previous release ${which.ref}: ${path.basename(tarball)} (sha256 ${sha256.slice(0, 12)}), node_modules ${done.nodeModules}, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    return done;
}

if (require.main === module) {
    try {
        const built = buildPrevious({ rebuild: process.argv.includes("--rebuild"), log: (l) => process.stderr.write(`${l}\n`) });
        process.stdout.write(JSON.stringify(built, null, 2) + "\n");
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exitCode = 1;
    }
}
