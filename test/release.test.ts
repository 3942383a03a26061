/**
 * The release (tools/release.ts, README "Releases"): the CHANGELOG transform of `npm version`'s
 * lifecycle script on a temporary copy of CHANGELOG.md, the dry-run end to end (packs, writes the
 * SBOM and the policy pack folder, prints the publishing commands and runs neither), and the
 * release workflow's shape (actionlint checks it in CI: tools/ci-templates-check.sh).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { repoRoot } from "../testing/paths";
import { checkChangelog, checkImageLock, releaseChangelog, syncProviderVersion, unreleasedBody } from "../tools/release";
import { lockState } from "../components/core/images";

const root = repoRoot();
const script = path.join(root, "dist", "tools", "release.js");

describe("release (tools/release.ts)", () => {
    // The repository's CHANGELOG, with an entry in [Unreleased] when it has none (on a release commit).
    const repoChangelog = fs.readFileSync(path.join(root, "CHANGELOG.md"), "utf8");
    const changelog = unreleasedBody(repoChangelog)
        ? repoChangelog
        : repoChangelog.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n- An unreleased change (the test's own entry).\n");

    it("the version script turns a copy of CHANGELOG.md's [Unreleased] into the version's section", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "changelog-"));
        const file = path.join(tmp, "CHANGELOG.md");
        fs.writeFileSync(file, changelog);
        const r = spawnSync(process.execPath, [script, "changelog", "1.2.3", file], {
            encoding: "utf8",
            env: { ...process.env, RAGSTACK_RELEASE_DATE: "2027-01-15" },
        });
        assert.strictEqual(r.status, 0, r.stderr);
        const out = fs.readFileSync(file, "utf8");
        const body = unreleasedBody(changelog)!;
        assert.ok(body.length > 0);
        assert.strictEqual(unreleasedBody(out), "", "a new, empty [Unreleased]");
        assert.ok(out.includes("## [Unreleased]\n\n## [1.2.3] - 2027-01-15\n"), "the version's heading right under it");
        assert.ok(out.includes(body), "the entries kept, under the version");
        assert.ok(out.indexOf(body) > out.indexOf("## [1.2.3]"));
        // the text before [Unreleased] (the versioning policy) is unchanged
        const head = changelog.slice(0, changelog.indexOf("## [Unreleased]"));
        assert.ok(out.startsWith(head));
        // a second run for the same version, or with nothing unreleased, is refused
        const again = spawnSync(process.execPath, [script, "changelog", "1.2.4", file], { encoding: "utf8" });
        assert.strictEqual(again.status, 1);
        assert.match(again.stderr, /\[Unreleased\] section is empty/);
    });

    it("refuses a bad version, a missing [Unreleased] and a version already released", () => {
        assert.throws(() => releaseChangelog(changelog, "v1.2.3", "2027-01-15"), /not a semantic version/);
        assert.throws(() => releaseChangelog("# Changelog\n\n## [0.1.0] - 2026-01-01\n", "1.0.0", "2027-01-15"), /no "## \[Unreleased\]" section/);
        const released = releaseChangelog(changelog, "1.2.3", "2027-01-15").replace("## [Unreleased]\n", "## [Unreleased]\n\n- more\n");
        assert.throws(() => releaseChangelog(released, "1.2.3", "2027-01-16"), /already has a section for 1\.2\.3/);
        assert.match(releaseChangelog(released, "1.3.0", "2027-01-16"), /## \[1\.3\.0\] - 2027-01-16\n\n- more\n/);
    });

    it("what the release needs of the CHANGELOG: for real the version's section and tag, in a dry-run content to release or the release commit", () => {
        const cut = releaseChangelog(changelog, "1.2.3", "2027-01-15");
        assert.match(checkChangelog(changelog, "0.1.0", true), /\[Unreleased\] has content/);
        // the release commit (empty [Unreleased], the version's section): CI's dry-run passes on it
        assert.match(checkChangelog(cut, "1.2.3", true), /1\.2\.3's section and an empty \[Unreleased\]/);
        // an empty [Unreleased] without the version's section: nothing would be released
        assert.throws(() => checkChangelog(cut, "1.2.4", true), /\[Unreleased\] section is empty/);
        assert.match(checkChangelog(cut, "1.2.3", false, "v1.2.3"), /has 1\.2\.3's section/);
        assert.throws(() => checkChangelog(cut, "1.2.3", false, "v1.2.4"), /tag v1\.2\.4 is not v1\.2\.3/);
        assert.throws(() => checkChangelog(changelog, "0.1.1", false, "v0.1.1"), /no "## \[0\.1\.1\] - <date>" section/);
    });

    it("the image lock: a dry-run reports unpinned defaults, a release refuses them, a filled lock passes", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(root, "images.lock.json"), "utf8"));
        for (const e of Object.values<any>(lock.images)) [e.digest, e.resolved] = [null, null];
        const empty = JSON.stringify(lock);
        const n = Object.keys(lock.images).length;
        assert.match(
            checkImageLock(empty, true),
            new RegExp(`0 of ${n} default images pinned by digest, ${n} unpinned \\(ollama \\(ollama/ollama:0\\.12\\.6\\), `),
        );
        assert.throws(
            () => checkImageLock(empty, false),
            new RegExp(`${n} of ${n} default images have no digest: ollama \\(ollama/ollama:0\\.12\\.6\\), .*; run tools/pin-images\\.sh first`),
        );
        for (const e of Object.values<any>(lock.images))
            [e.digest, e.resolved] = [`sha256:${"ab".repeat(32)}`, { at: "2027-01-15T10:00:00Z", with: "crane v0.22.1" }];
        assert.strictEqual(checkImageLock(JSON.stringify(lock), false), `release: images.lock.json: all ${n} default images pinned by digest`);
        lock.images.valkey.digest = null;
        lock.images.valkey.resolved = null;
        assert.throws(() => checkImageLock(JSON.stringify(lock), false), /1 of \d+ default images have no digest: valkey \(valkey\/valkey:8\.1\.4\);/);
    });

    it("package.json's version script runs the transform and stages CHANGELOG.md for npm version's commit", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        assert.strictEqual(
            pkg.scripts.version,
            "node dist/tools/release.js changelog && git add CHANGELOG.md provider/package.json provider/package-lock.json",
        );
    });

    it("the version script brings the component package (provider/) to the library's version", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "provider-version-"));
        fs.mkdirSync(path.join(tmp, "provider"));
        for (const f of ["package.json", "package-lock.json"]) fs.copyFileSync(path.join(root, "provider", f), path.join(tmp, "provider", f));
        assert.match(syncProviderVersion(tmp, "9.8.7"), /are at 9\.8\.7/);
        const read = (f: string) => JSON.parse(fs.readFileSync(path.join(tmp, "provider", f), "utf8"));
        assert.strictEqual(read("package.json").version, "9.8.7");
        assert.deepStrictEqual([read("package-lock.json").version, read("package-lock.json").packages[""].version], ["9.8.7", "9.8.7"]);
        assert.strictEqual(read("package.json").name, "ragstack", "nothing else changes");
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("the dry-run packs, writes the SBOM and the policy pack, prints the publishing commands and runs neither", function () {
        this.timeout(120000);
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "release-"));
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "release-bin-"));
        // a `pulumi` that records any call: the dry-run must not make one
        const marker = path.join(bin, "pulumi-called");
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho "$@" > "${marker}"\nexit 1\n`, { mode: 0o755 });
        const r = spawnSync(process.execPath, [script, "--dry-run", "--out", out], {
            cwd: root,
            encoding: "utf8",
            env: {
                ...process.env,
                PATH: `${bin}${path.delimiter}${process.env.PATH}`,
                // a publish would need the registry: an unreachable one makes any publish fail the run
                npm_config_registry: "http://127.0.0.1:9/",
                PULUMI_ACCESS_TOKEN: "",
                NODE_AUTH_TOKEN: "",
            },
        });
        assert.strictEqual(r.status, 0, r.stderr + r.stdout);
        assert.ok(!fs.existsSync(marker), "pulumi was not called");
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        const tgz = path.join(out, `ragstack-pulumi-rag-platform-${pkg.version}.tgz`);
        assert.ok(fs.statSync(tgz).size > 0);
        assert.ok(r.stdout.includes(`dry-run: would run: npm publish --provenance --access public ${tgz}\n`), r.stdout);
        assert.ok(r.stdout.includes(`dry-run: would run: pulumi policy publish <org> ${path.join(out, "policy-pack")}\n`), r.stdout);
        // the lock's state reported (the dry-run reaches no registry: unpinned defaults do not fail it), the lock packed
        const { pinned, unpinned } = lockState();
        assert.match(
            r.stdout,
            unpinned.length === 0
                ? new RegExp(`release: images\\.lock\\.json: all ${pinned.length} default images pinned by digest\n`)
                : new RegExp(
                      `release: images\\.lock\\.json: ${pinned.length} of ${pinned.length + unpinned.length} default images pinned by digest, ${unpinned.length} unpinned \\(${unpinned[0]} `,
                  ),
        );
        const listing = spawnSync("tar", ["-tzf", tgz], { encoding: "utf8" }).stdout.split("\n");
        assert.ok(listing.includes("package/images.lock.json"), "the lock ships in the package");

        const bom = JSON.parse(fs.readFileSync(tgz.replace(/\.tgz$/, ".cdx.json"), "utf8"));
        assert.strictEqual(bom.bomFormat, "CycloneDX");
        const names = (bom.components as { name: string; group?: string; version: string }[]).map((c) => (c.group ? `${c.group}/${c.name}` : c.name));
        assert.deepStrictEqual(names.sort(), Object.keys(pkg.dependencies).sort(), "the runtime dependencies, no dev dependency");
        for (const c of bom.components) assert.strictEqual(c.version, pkg.dependencies[c.name], c.name);

        const packDir = path.join(out, "policy-pack");
        const yaml = YAML.parse(fs.readFileSync(path.join(packDir, "PulumiPolicy.yaml"), "utf8"));
        const own = YAML.parse(fs.readFileSync(path.join(root, "policies", "PulumiPolicy.yaml"), "utf8"));
        assert.deepStrictEqual([yaml.runtime, yaml.name, yaml.version], ["nodejs", own.name, pkg.version]);
        const packPkg = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8"));
        assert.strictEqual(packPkg.dependencies[pkg.name], pkg.version, "the pack runs this very version of the library");
        assert.strictEqual(packPkg.dependencies["@pulumi/policy"], pkg.peerDependencies["@pulumi/policy"]);
        const index = fs.readFileSync(path.join(packDir, "index.js"), "utf8");
        assert.ok(index.includes(`require("${pkg.name}/policies/pack")`) && index.includes("createPolicyPack(optionsFromEnv())"));
        assert.ok(!index.includes("bootstrap"), "self-contained: nothing from the repository");
    });

    it("the release workflow runs on version tags with provenance and release permissions, for real", () => {
        const doc = YAML.parse(fs.readFileSync(path.join(root, ".github", "workflows", "release.yml"), "utf8"));
        assert.deepStrictEqual(doc.on.push.tags, ["v*"]);
        const job = doc.jobs.release;
        assert.deepStrictEqual(job.permissions, { contents: "write", "id-token": "write" });
        const runs = (job.steps as { run?: string; env?: Record<string, string> }[]).filter((s) => s.run);
        assert.ok(runs.some((s) => s.run!.trim() === "npm test"));
        const rel = runs.find((s) => s.run!.includes("dist/tools/release.js"))!;
        assert.ok(!rel.run!.includes("--dry-run"));
        assert.deepStrictEqual(Object.keys(rel.env!).sort(), ["NODE_AUTH_TOKEN", "PULUMI_ACCESS_TOKEN", "PULUMI_POLICY_ORG"]);
        assert.ok(
            runs.some((s) => /gh release create .*\.cdx\.json/.test(s.run!)),
            "the SBOM attached to the GitHub release",
        );
        // the default images pinned by digest before anything is tested or published: crane (a pinned
        // version) installed, the lock filled, then checked; the tests run on the lock that ships
        const steps = job.steps as { run?: string }[];
        const at = (re: RegExp) => steps.findIndex((s) => re.test(s.run ?? ""));
        const crane = at(/go install github\.com\/google\/go-containerregistry\/cmd\/crane@v\d+\.\d+\.\d+\n/);
        const pin = at(/^bash tools\/pin-images\.sh\s*$/);
        const check = at(/^bash tools\/pin-images\.sh --check\s*$/);
        const docs = at(/^node dist\/tools\/gen-docs\.js\s*$/); // the tests compare the generated docs, which name the defaults
        const tests = at(/^npm test\s*$/);
        const publish = at(/dist\/tools\/release\.js/);
        assert.ok(
            crane >= 0 && crane < pin && pin < check && check < docs && docs < tests && tests < publish,
            `crane ${crane}, pin ${pin}, check ${check}, docs ${docs}, tests ${tests}, publish ${publish}`,
        );
        // a job holding the publishing secrets runs actions pinned by commit, not by a movable tag
        for (const s of job.steps as { uses?: string }[]) if (s.uses) assert.match(s.uses, /^[\w-]+\/[\w-]+@[0-9a-f]{40}$/, s.uses);
    });

    it("CI runs the dry-run (.ci/run)", () => {
        assert.match(fs.readFileSync(path.join(root, ".ci", "run"), "utf8"), /\nstep "release dry-run[^"]*" node dist\/tools\/release\.js --dry-run /);
    });
});
