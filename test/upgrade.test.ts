/**
 * Upgrades keep every stateful resource (issue 28), under the mocks: the previous release
 * (tools/previous-release.ts: `npm pack` of its tree, its own program) and the current code run on
 * the previous release's stack files, for staging and production on both targets; a stateful
 * resource whose URN disappears (delete) or whose replacement-triggering inputs change (replace)
 * fails unless CHANGELOG.md's "Changed (breaking)" names it with an alias or migration note
 * (tools/upgrade.ts). Every other change is printed. The engine check's upgrade step does the same
 * for Kubernetes under the real engine.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { retargetConfig } from "../environments/config";
import { readStackConfig, repoRoot, runProgramWithConfig } from "../testing/program";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { installMocks, RecordedResource, settle } from "../testing/mocks";
import { Rename, RENAMES, renameAliases, withRenames } from "../components/core/renames";
import {
    buildPrevious,
    lockedPackages,
    newestTagFirst,
    pointImportsAtPackage,
    PreviousRelease,
    releasedVersions,
    resolvePrevious,
} from "../tools/previous-release";
import {
    AWS_CREATE_ONLY_WITHOUT_INPUT,
    AWS_STATEFUL,
    breakingEntries,
    changesSince,
    compareResources,
    declaringEntry,
    formatReport,
    readChangelog,
    stackFileMigration,
    statefulRule,
    UpgradeReport,
    UpgradeResource,
    urnName,
} from "../tools/upgrade";
import { cfnResource } from "./judges/aws-data";
import { ENGINE_PARTS, enginePartsSelected } from "../tools/engine/check";
import { reportFromPreview } from "../tools/engine/upgrade";

const PROJECT = "rag-platform";

const asUpgrade = (r: RecordedResource): UpgradeResource => ({
    urn: r.engineUrn,
    type: r.type,
    inputs: r.inputs,
    dependencies: r.dependencies,
    aliases: r.aliases,
});

/** The previous release's stack file for `stack`, on `target` (retargeted as the program does). */
function stackConfig(prev: PreviousRelease, stack: string, target: string): Record<string, string> {
    const config = readStackConfig(stack, prev.program);
    return config[`${PROJECT}:target`] === target ? config : { ...retargetConfig(config, PROJECT, target), [`${PROJECT}:target`]: target };
}

/** The repository's own stack file for `stack`, on `target`. */
function currentStackConfig(stack: string, target: string): Record<string, string> {
    const config = readStackConfig(stack);
    return config[`${PROJECT}:target`] === target ? config : { ...retargetConfig(config, PROJECT, target), [`${PROJECT}:target`]: target };
}

async function resourcesOf(programDir: string, stack: string, config: Record<string, string>): Promise<UpgradeResource[]> {
    const run = await runProgramWithConfig(programDir, PROJECT, stack, { ...config });
    run.resources.assertEngineInvariants();
    return run.resources.all.map(asUpgrade);
}

describe("upgrades from the previous release keep every stateful resource (issue 28)", function () {
    this.timeout(600000);
    let prev: PreviousRelease;
    const reports = new Map<string, UpgradeReport>();
    const runs = new Map<string, { previous: UpgradeResource[]; current: UpgradeResource[] }>();
    const migrations = new Map<string, ReturnType<typeof stackFileMigration>>();

    before(async () => {
        prev = buildPrevious({ log: (l) => process.stdout.write(`      ${l}\n`) });
        const changelog = readChangelog(repoRoot(), prev.version);
        for (const stack of ["staging", "production"])
            for (const target of ["aws", "kubernetes"]) {
                const config = stackConfig(prev, stack, target);
                const previous = await resourcesOf(prev.program, stack, config);
                const migration = stackFileMigration(config, currentStackConfig(stack, target), changelog);
                migrations.set(`${stack}/${target}`, migration);
                const current = await resourcesOf(repoRoot(), stack, { ...config, ...migration.set });
                runs.set(`${stack}/${target}`, { previous, current });
                reports.set(`${stack}/${target}`, compareResources(previous, current, changelog));
            }
    });

    describe("the previous release, built with npm pack", () => {
        it("is the pinned commit while no v* tag exists, packed, with its own program importing the packed package", () => {
            const pinned = JSON.parse(fs.readFileSync(path.join(repoRoot(), "tools", "previous-release.json"), "utf8")).pinned;
            if (prev.kind === "pinned") assert.strictEqual(prev.commit, pinned.commit);
            else assert.match(prev.ref, /^v\d+\.\d+\.\d+/);
            assert.ok(fs.existsSync(prev.tarball) && prev.tarball.endsWith(`-${prev.version}.tgz`), prev.tarball);
            const installed = JSON.parse(fs.readFileSync(path.join(prev.program, "node_modules", "@ragstack", "pulumi-rag-platform", "package.json"), "utf8"));
            assert.strictEqual(installed.version, prev.version);
            const program = fs.readFileSync(path.join(prev.program, "index.js"), "utf8");
            const local = [...program.matchAll(/require\("(\.[^"]+)"\)/g)].map((m) => m[1]);
            assert.ok(local.length >= 3, "the program's own imports");
            for (const l of local) assert.ok(l.startsWith("./node_modules/@ragstack/pulumi-rag-platform/dist/"), `${l} is read from the packed package`);
            assert.match(fs.readFileSync(path.join(prev.program, "Pulumi.yaml"), "utf8"), /^main: index\.js$/m);
        });

        it("a shallow clone (CI's) is deepened and finds the same previous release", function () {
            const clone = fs.mkdtempSync(path.join(os.tmpdir(), "ragstack-shallow-"));
            try {
                const r = spawnSync("git", ["clone", "--quiet", "--depth", "1", `file://${repoRoot()}`, clone], { encoding: "utf8" });
                assert.strictEqual(r.status, 0, r.stderr);
                const shallow = () => spawnSync("git", ["rev-parse", "--is-shallow-repository"], { cwd: clone, encoding: "utf8" }).stdout.trim();
                assert.strictEqual(shallow(), "true");
                const found = resolvePrevious(clone);
                assert.strictEqual(found.commit, prev.commit);
                assert.strictEqual(shallow(), "false");
            } finally {
                fs.rmSync(clone, { recursive: true, force: true });
            }
        });

        it("a clone without tags fetches them from its origin; with none to fetch, it compares with the pinned commit and says why", function () {
            const clone = fs.mkdtempSync(path.join(os.tmpdir(), "ragstack-no-tags-"));
            const git = (...args: string[]) => spawnSync("git", args, { cwd: clone, encoding: "utf8" });
            try {
                const r = spawnSync("git", ["clone", "--quiet", "--no-tags", `file://${repoRoot()}`, clone], { encoding: "utf8" });
                assert.strictEqual(r.status, 0, r.stderr);
                assert.strictEqual(git("tag", "--list").stdout.trim(), "", "cloned without tags");
                assert.strictEqual(resolvePrevious(clone).commit, prev.commit, "the same previous release as this checkout's");
                // Tags gone and nowhere to fetch them from: the pinned commit, and the reason names the missing tag.
                for (const tag of git("tag", "--list").stdout.split("\n").filter(Boolean)) git("tag", "-d", tag);
                git("remote", "remove", "origin");
                const released = releasedVersions(fs.readFileSync(path.join(clone, "CHANGELOG.md"), "utf8"));
                const found = resolvePrevious(clone);
                assert.strictEqual(found.kind, "pinned");
                if (released.length > 0 && prev.kind === "tag")
                    assert.match(found.reason, new RegExp(`records release ${released[0].replace(/\./g, "\\.")} but this clone has no v\\S+ tag`));
            } finally {
                fs.rmSync(clone, { recursive: true, force: true });
            }
        });

        it("the released versions are CHANGELOG.md's dated sections, newest first", () => {
            assert.deepStrictEqual(releasedVersions("## [Unreleased]\n\n## [0.3.0] - 2027-01-10\n\n## [0.2.0] - 2026-12-03\n## [0.1.0]\n"), ["0.3.0", "0.2.0"]);
        });

        it("refuses a program importing what the package does not ship; orders tags by version; compares lockfiles without the package's own version", () => {
            assert.throws(
                () => pointImportsAtPackage(`require("./tools/plan")`, prev.program),
                /imports \.\/tools\/plan, which the packed package does not ship/,
            );
            assert.deepStrictEqual(newestTagFirst(["v0.2.0", "v0.10.0", "v0.9.1", "v0.10.0-rc.1", "x1"]), ["v0.10.0", "v0.10.0-rc.1", "v0.9.1", "v0.2.0"]);
            const lock = (v: string, dep: string) => JSON.stringify({ version: v, packages: { "": { version: v }, "node_modules/yaml": { version: dep } } });
            assert.strictEqual(lockedPackages(lock("0.1.0", "2.9.1")), lockedPackages(lock("0.2.0", "2.9.1")));
            assert.notStrictEqual(lockedPackages(lock("0.1.0", "2.9.1")), lockedPackages(lock("0.1.0", "2.9.2")));
        });
    });

    describe("AWS's replacement-triggering inputs", () => {
        it("every input listed is a createOnly property of its CloudFormation type, and every createOnly property is listed or has no Pulumi input", () => {
            // createOnlyProperties of the CloudFormation registry schemas (aws-service-spec: causesReplacement "yes"):
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html (and the
            // pages of AWS::RDS::DBCluster, AWS::RDS::DBProxy, AWS::ElastiCache::ReplicationGroup, AWS::S3::Bucket,
            // AWS::KMS::Key, AWS::SecretsManager::Secret, AWS::Backup::BackupVault): "Update requires: Replacement".
            for (const [type, s] of Object.entries(AWS_STATEFUL)) {
                const props = cfnResource(s.cfn) as Record<string, { causesReplacement?: string }>;
                assert.ok(props, `${s.cfn} in the spec`);
                const createOnly = Object.keys(props).filter((p) => props[p].causesReplacement === "yes");
                for (const [input, prop] of Object.entries(s.replaceOn))
                    assert.strictEqual(props[prop]?.causesReplacement, "yes", `${type} ${input} -> ${s.cfn}.${prop} is createOnly`);
                const covered = new Set([...Object.values(s.replaceOn), ...(AWS_CREATE_ONLY_WITHOUT_INPUT[s.cfn] ?? [])]);
                assert.deepStrictEqual(
                    createOnly.filter((p) => !covered.has(p)),
                    [],
                    `${s.cfn}: createOnly properties neither compared nor declared without a Pulumi input`,
                );
                // The Pulumi inputs exist (@pulumi/aws's <Resource>Args, nested ones in types/input.d.ts).
                const [mod, cls] = type.replace(/^aws:/, "").split(":");
                const dts = fs.readFileSync(require.resolve(`@pulumi/aws/${mod}.d.ts`), "utf8");
                const start = dts.indexOf(`export interface ${cls}Args {`);
                const args = new Set([...dts.slice(start, dts.indexOf("\n}", start)).matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]));
                for (const input of Object.keys(s.replaceOn)) assert.ok(args.has(input.split(".")[0]), `${cls}Args has ${input.split(".")[0]}`);
                for (const none of AWS_CREATE_ONLY_WITHOUT_INPUT[s.cfn] ?? []) {
                    const lower = none.charAt(0).toLowerCase() + none.slice(1);
                    assert.ok(!args.has(lower), `${cls}Args has no ${lower} (else compare it)`);
                }
            }
            assert.deepStrictEqual(
                Object.entries(cfnResource("AWS::KMS::Key") as Record<string, { causesReplacement?: string }>).filter(([, p]) => p.causesReplacement === "yes"),
                [],
                "a KMS key has no createOnly property: its URN is what keeps it",
            );
        });
    });

    for (const stack of ["staging", "production"])
        for (const target of ["aws", "kubernetes"])
            it(`${stack} on ${target}: no stateful resource is replaced or deleted without a declared CHANGELOG entry (every change listed)`, () => {
                const r = reports.get(`${stack}/${target}`)!;
                const { previous, current } = runs.get(`${stack}/${target}`)!;
                const m = migrations.get(`${stack}/${target}`)!;
                const keys = Object.keys(m.set)
                    .map((k) => k.split(":").pop())
                    .join(", ");
                const title = `${prev.ref} -> current, ${stack} on ${target}${keys ? ` (stack file migration, declared: ${keys})` : ""}`;
                process.stdout.write(`      ${formatReport(title, r).replace(/\n/g, "\n      ")}\n`);
                // Both programs ran: the comparison saw the stack's stateful resources on both sides.
                const stateful = (rs: UpgradeResource[]) => rs.filter((x) => statefulRule(x)).length;
                assert.ok(stateful(previous) >= 5 && stateful(current) >= 5, `${stateful(previous)} and ${stateful(current)} stateful resources`);
                assert.deepStrictEqual(
                    r.undeclared.map((b) => `${b.op} ${b.stateful} ${b.urn}: ${b.detail}`),
                    [],
                    'stateful resources replaced or deleted without a CHANGELOG "Changed (breaking)" entry naming them with an alias or migration note',
                );
            });

    describe("the comparison catches what it claims (mutations of the real runs)", () => {
        const renamed = (rs: UpgradeResource[], urn: string, to: string) =>
            rs.map((r) => (r.urn === urn ? { ...r, urn: r.urn.replace(/::[^:]+$/, `::${to}`) } : r));

        it("a renamed stateful resource is a delete; with an alias it is no change; a CHANGELOG entry naming it with a migration note declares it", () => {
            const { previous, current } = runs.get("production/aws")!;
            const bucket = current.find((r) => r.type === "aws:s3/bucket:Bucket" && previous.some((p) => p.urn === r.urn))!;
            const name = bucket.urn.split("::").pop()!;
            const moved = renamed(current, bucket.urn, `${name}-renamed`);
            const r = compareResources(previous, moved, "");
            assert.deepStrictEqual(
                r.undeclared.map((b) => [b.op, b.urn]),
                [["delete", bucket.urn]],
            );
            assert.ok(r.other.some((o) => o.op === "create" && o.urn.endsWith(`::${name}-renamed`)));
            const aliased = moved.map((x) => (x.urn.endsWith(`::${name}-renamed`) ? { ...x, aliases: [bucket.urn] } : x));
            const a = compareResources(previous, aliased, "");
            assert.deepStrictEqual(a.breaking, []);
            assert.deepStrictEqual(
                a.other.filter((o) => o.urn === bucket.urn || o.urn.endsWith(`::${name}-renamed`)).map((o) => [o.op, o.urn, o.detail]),
                [["alias", bucket.urn, `now ${bucket.urn}-renamed (aliased)`]],
            );
            const changelog = `# Changelog\n\n## [Unreleased]\n\n### Changed (breaking)\n- \`${name}\` is renamed; migration: \`pulumi state rename\` before upgrading.\n\n## [0.1.0] - 2026-01-01\n`;
            const declared = compareResources(previous, moved, changelog);
            assert.deepStrictEqual(declared.undeclared, []);
            assert.match(declared.breaking[0].entry!, /migration/);
            // Naming it is not enough: the entry must say how it moves.
            assert.strictEqual(
                compareResources(previous, moved, changelog.replace("; migration: `pulumi state rename` before upgrading", "")).undeclared.length,
                1,
            );
        });

        it("a changed createOnly input (the RDS instance's identifier, a bucket's object lock) is a replace; a changed in-place input is listed only", () => {
            const { previous, current } = runs.get("production/aws")!;
            const db = current.find((r) => r.type === "aws:rds/instance:Instance" && previous.some((p) => p.urn === r.urn))!;
            const mutated = current.map((r) =>
                r.urn === db.urn ? { ...r, inputs: { ...r.inputs, identifier: `${String(r.inputs.identifier)}-2`, backupRetentionPeriod: 1 } } : r,
            );
            const r = compareResources(previous, mutated, "");
            assert.deepStrictEqual(
                r.undeclared.map((b) => [b.op, b.urn, b.detail.split(":")[0]]),
                [["replace", db.urn, "identifier"]],
            );
            const inPlace = current.map((x) => (x.urn === db.urn ? { ...x, inputs: { ...x.inputs, backupRetentionPeriod: 1 } } : x));
            const p = compareResources(previous, inPlace, "");
            assert.deepStrictEqual(p.breaking, []);
            assert.ok(p.other.some((o) => o.op === "update" && o.urn === db.urn && /in place: .*backupRetentionPeriod/.test(o.detail)));
            const bucket = current.find((x) => x.type === "aws:s3/bucket:Bucket" && previous.some((y) => y.urn === x.urn))!;
            const locked = current.map((x) => (x.urn === bucket.urn ? { ...x, inputs: { ...x.inputs, objectLockEnabled: !x.inputs.objectLockEnabled } } : x));
            assert.deepStrictEqual(
                compareResources(previous, locked, "").undeclared.map((b) => b.detail.split(":")[0]),
                ["objectLockEnabled"],
            );
        });

        it("Kubernetes: a renamed namespace, a moved PVC-bearing StatefulSet claim template and a re-typed credentials Secret are caught", () => {
            const { previous, current } = runs.get("production/kubernetes")!;
            const ns = current.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
            const sts = current.find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && (r.inputs.spec as any)?.volumeClaimTemplates)!;
            const secret = current.find((r) => r.type === "kubernetes:core/v1:Secret" && r.dependencies.some((d) => /random:/.test(d)))!;
            assert.ok(ns && sts && secret, "the stack has them");
            const mutated = current.map((r) => {
                if (r.urn === ns.urn) return { ...r, inputs: { ...r.inputs, metadata: { ...(r.inputs.metadata as object), name: "rag-data-2" } } };
                if (r.urn === sts.urn) {
                    const spec = r.inputs.spec as any;
                    const vct = spec.volumeClaimTemplates.map((t: any) => ({ ...t, spec: { ...t.spec, storageClassName: "other" } }));
                    return { ...r, inputs: { ...r.inputs, spec: { ...spec, volumeClaimTemplates: vct } } };
                }
                if (r.urn === secret.urn) return { ...r, inputs: { ...r.inputs, type: "Opaque-2" } };
                return r;
            });
            const r = compareResources(previous, mutated, "");
            assert.deepStrictEqual(
                r.undeclared.map((b) => [b.urn, b.detail.split(":")[0]]).sort(),
                [
                    [ns.urn, "metadata.name"],
                    [secret.urn, "type"],
                    [sts.urn, "spec.volumeClaimTemplates"],
                ].sort(),
            );
        });

        it("the current code refuses a production stack file on Kubernetes from before 0.2.0 without its declared migration (the check would fail)", async () => {
            // The previous release's file without the key 0.2.0 made required, as c28eb96's was; the entries since 0.1.0.
            const key = "rag-platform:k8sObjectStorageDocumentsReaderSecretName";
            const config = Object.fromEntries(Object.entries(stackConfig(prev, "production", "kubernetes")).filter(([k]) => k !== key));
            const m = stackFileMigration(config, currentStackConfig("production", "kubernetes"), readChangelog(repoRoot(), "0.1.0"));
            assert.deepStrictEqual(Object.keys(m.set), ["rag-platform:k8sObjectStorageDocumentsReaderSecretName"]);
            assert.deepStrictEqual(
                stackFileMigration(config, currentStackConfig("production", "kubernetes"), ""),
                { set: {}, entries: [] },
                "undeclared: not applied",
            );
            await assert.rejects(() => resourcesOf(repoRoot(), "production", config), /k8sObjectStorageDocumentsReaderSecretName/);
        });

        it('reads the entries of the [Unreleased] "Changed (breaking)" sections only', () => {
            const text = [
                "## [Unreleased]",
                "### Changed (breaking)",
                "- `a` renamed; an alias keeps",
                "  its state.",
                "### Changed",
                "- `b` renamed; migration note.",
                "## [0.1.0] - 2026-01-01",
                "### Changed (breaking)",
                "- `c` alias.",
            ].join("\n");
            assert.deepStrictEqual(breakingEntries(`x\n${text}`), ["`a` renamed; an alias keeps its state."]);
            assert.ok(declaringEntry(breakingEntries(`x\n${text}`), "a"));
            assert.strictEqual(declaringEntry(breakingEntries(`x\n${text}`), "b"), undefined);
            assert.strictEqual(declaringEntry(breakingEntries(`x\n${text}`), "c"), undefined);
        });

        it("since the previous release: [Unreleased] and every later version's section (a release commit moved them there), not older ones", () => {
            const text = [
                "# Changelog",
                "## [Unreleased]",
                "## [0.10.0] - 2027-01-01",
                "### Changed (breaking)",
                "- `d` renamed; an alias keeps its state.",
                "## [0.2.0] - 2026-12-03",
                "### Changed (breaking)",
                "- `a` renamed; migration: `pulumi state rename`.",
                "## [0.1.0] - 2026-11-24",
                "### Changed (breaking)",
                "- `c` renamed; an alias.",
            ].join("\n");
            const since = (v: string) => breakingEntries(changesSince(text, v)).map((e) => e.slice(1, 2));
            assert.deepStrictEqual(since("0.1.0"), ["d", "a"]);
            assert.deepStrictEqual(since("0.2.0"), ["d"], "0.10.0 is newer than 0.2.0 (numeric, not text order)");
            assert.deepStrictEqual(since("0.10.0"), []);
            assert.deepStrictEqual(breakingEntries(text), [], "without a version: [Unreleased] only");
        });
    });

    describe("renames carry aliases (components/core/renames.ts)", () => {
        const table: Rename[] = [
            { type: "aws:s3/bucket:Bucket", part: "documents-v2", from: { part: "documents" }, since: "9.9.0", reason: "synthetic" },
            {
                type: "random:index/randomPassword:RandomPassword",
                part: "db-password",
                from: { type: "random:index/randomString:RandomString" },
                since: "9.9.0",
                reason: "synthetic",
            },
        ];

        /** A stack component like the library's (withRenames on its options) with a bucket and a generated password, under the mocks. */
        async function synthetic(bucketPart: string, passwordType: "string" | "password", renames: readonly Rename[]): Promise<UpgradeResource[]> {
            const log = installMocks({ project: PROJECT, stack: "production" });
            const stack = new pulumi.ComponentResource("ragstack:test:Store", "rag-test", {}, withRenames({}, renames));
            const inner = new pulumi.ComponentResource("ragstack:test:Inner", "rag-test-inner", {}, { parent: stack });
            new aws.s3.Bucket(`rag-test-inner-${bucketPart}`, { bucket: "rag-test-documents" }, { parent: inner });
            if (passwordType === "string") new random.RandomString("rag-test-inner-db-password", { length: 32 }, { parent: inner });
            else new random.RandomPassword("rag-test-inner-db-password", { length: 32 }, { parent: inner });
            await settle(log);
            return log.all.map(asUpgrade);
        }

        it("the library declares no rename yet (c28eb96 to now renamed nothing: the upgrade comparison shows no stateful delete)", () => {
            assert.deepStrictEqual(RENAMES, []);
            for (const [k, r] of reports) assert.deepStrictEqual(r.breaking, [], k);
        });

        it("a declared rename (a child's name, a resource's type) maps the old URN to the new one: no delete, no create", async () => {
            const before = await synthetic("documents", "string", []);
            const after = await synthetic("documents-v2", "password", table);
            const r = compareResources(before, after, "");
            assert.deepStrictEqual(r.breaking, []);
            assert.deepStrictEqual(r.other.map((o) => [o.op, urnName(o.urn), o.detail.replace(/urn:\S+::/, "")]).sort(), [
                ["alias", "rag-test-inner-db-password", "now rag-test-inner-db-password (aliased)"],
                ["alias", "rag-test-inner-documents", "now rag-test-inner-documents-v2 (aliased)"],
            ]);
            // The alias is the old URN exactly (the type chain of the parents included); @pulumi/aws adds its own
            // (Bucket was BucketV2), kept.
            const bucket = after.find((x) => x.type === "aws:s3/bucket:Bucket")!;
            const old = before.find((x) => x.type === "aws:s3/bucket:Bucket")!.urn;
            assert.ok(bucket.aliases.includes(old), `${old} among ${bucket.aliases.join(", ")}`);
            assert.deepStrictEqual(
                bucket.aliases.filter((a) => !a.includes("bucketV2")),
                [old],
            );
            // Without the declaration: the bucket and the password are deleted (and new ones created).
            const undeclared = compareResources(before, await synthetic("documents-v2", "password", []), "");
            assert.deepStrictEqual(undeclared.undeclared.map((b) => [b.op, urnName(b.urn)]).sort(), [
                ["delete", "rag-test-inner-db-password"],
                ["delete", "rag-test-inner-documents"],
            ]);
        });

        /** A stack component whose inner component is of `innerType`, named `innerName`, with `aliases`; a bucket and a password inside, named after it. */
        async function nested(innerType: string, innerName: string, aliases: pulumi.Input<string | pulumi.Alias>[]): Promise<UpgradeResource[]> {
            const log = installMocks({ project: PROJECT, stack: "production" });
            const stack = new pulumi.ComponentResource("ragstack:test:Store", "rag-test", {});
            const inner = new pulumi.ComponentResource(innerType, innerName, {}, { parent: stack, aliases });
            new aws.s3.Bucket(`${innerName}-documents`, { bucket: "rag-test-documents" }, { parent: inner });
            new random.RandomPassword(`${innerName}-db-password`, { length: 32 }, { parent: inner });
            await settle(log);
            return log.all.map(asUpgrade);
        }

        it("a component's alias reaches its children, as the engine's inheritedChildAlias: a new type token, a new name with children named after it", async () => {
            const before = await nested("ragstack:test:Inner", "rag-test-inner", []);
            const urnOf = (rs: UpgradeResource[], type: string) => rs.find((x) => x.type === type)!.urn;
            // A new type token: the children's URNs change with their parent's type chain.
            const retyped = await nested("ragstack:test:Core", "rag-test-inner", [{ type: "ragstack:test:Inner" }]);
            assert.ok(
                retyped.find((x) => x.type === "aws:s3/bucket:Bucket")!.aliases.includes(urnOf(before, "aws:s3/bucket:Bucket")),
                "the bucket's old URN (under ragstack:test:Inner) is among its aliases",
            );
            const r = compareResources(before, retyped, "");
            assert.deepStrictEqual([r.breaking, r.undeclared], [[], []]);
            assert.deepStrictEqual(r.other.map((o) => [o.op, urnName(o.urn)]).sort(), [
                ["alias", "rag-test-inner"],
                ["alias", "rag-test-inner-db-password"],
                ["alias", "rag-test-inner-documents"],
            ]);
            // A new name: "{parent}-…" children take the alias's name as their prefix (the engine's convention).
            const renamed = await nested("ragstack:test:Inner", "rag-test-core", [{ name: "rag-test-inner" }]);
            const moved = compareResources(before, renamed, "");
            assert.deepStrictEqual([moved.breaking, moved.undeclared], [[], []]);
            assert.deepStrictEqual(moved.other.map((o) => [o.op, urnName(o.urn), o.detail.replace(/urn:\S+::/, "")]).sort(), [
                ["alias", "rag-test-inner", "now rag-test-core (aliased)"],
                ["alias", "rag-test-inner-db-password", "now rag-test-core-db-password (aliased)"],
                ["alias", "rag-test-inner-documents", "now rag-test-core-documents (aliased)"],
            ]);
            // Without the component's alias, its children are deleted and created again.
            const undeclared = compareResources(before, await nested("ragstack:test:Core", "rag-test-inner", []), "");
            assert.deepStrictEqual(undeclared.undeclared.map((b) => [b.op, urnName(b.urn)]).sort(), [
                ["delete", "rag-test-inner-db-password"],
                ["delete", "rag-test-inner-documents"],
            ]);
        });

        it("the program's stack components apply the library's table: a declared rename reaches a bucket (AWS) and a namespace (Kubernetes), nothing else", async () => {
            // A part names the component's own part too when another component has a child of the same part.
            const declared: Rename[] = [
                {
                    type: "aws:s3/bucket:Bucket",
                    part: "storage-access-logs-bucket",
                    from: { part: "storage-logs-bucket" },
                    since: "9.9.0",
                    reason: "synthetic",
                },
                { type: "kubernetes:core/v1:Namespace", part: "ns-data", from: { part: "namespace-data" }, since: "9.9.0", reason: "synthetic" },
            ];
            const aliasesOf = async (target: string) => {
                const run = await runProgramWithConfig(repoRoot(), PROJECT, "production", currentStackConfig("production", target));
                return new Map(run.resources.all.map((x) => [x.engineUrn, x.aliases]));
            };
            // The instance the program will load: another test may have cleared the library from require's cache.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const table = (require("../components/core/renames") as { RENAMES: Rename[] }).RENAMES;
            for (const [target, name, old] of [
                ["aws", "rag-aws-storage-access-logs-bucket", "rag-aws-storage-logs-bucket"],
                ["kubernetes", "rag-k8s-baseline-ns-data", "rag-k8s-baseline-namespace-data"],
            ]) {
                const without = await aliasesOf(target);
                table.push(...declared);
                let withTable: Map<string, string[]>;
                try {
                    withTable = await aliasesOf(target);
                } finally {
                    table.splice(table.length - declared.length, declared.length);
                }
                const changed = [...withTable].filter(([urn, a]) => JSON.stringify(a) !== JSON.stringify(without.get(urn)));
                assert.deepStrictEqual(
                    changed.map(([urn]) => urnName(urn)),
                    [name],
                    "only the renamed resource gets an alias",
                );
                const [urn, aliases] = changed[0];
                assert.deepStrictEqual(
                    aliases.filter((a) => !without.get(urn)!.includes(a)),
                    [urn.replace(/::[^:]+$/, `::${old}`)],
                );
            }
            assert.deepStrictEqual(RENAMES, []);
        });

        it("matches by name part and type only, once however many stack components carry it", () => {
            assert.deepStrictEqual(renameAliases("aws:s3/bucket:Bucket", "rag-aws-storage-documents-v2", table), [{ name: "rag-aws-storage-documents" }]);
            assert.deepStrictEqual(renameAliases("aws:s3/bucket:Bucket", "documents-v2", table), [{ name: "documents" }]);
            assert.deepStrictEqual(renameAliases("aws:s3/bucket:Bucket", "rag-aws-storage-olddocuments-v2", table), []);
            assert.deepStrictEqual(renameAliases("aws:s3/bucketPolicy:BucketPolicy", "rag-aws-storage-documents-v2", table), []);
            const twice = withRenames(withRenames<pulumi.ComponentResourceOptions>({}, table), table);
            let opts: pulumi.ResourceOptions = {};
            for (const t of twice.transformations!)
                opts = t({ resource: undefined as never, type: "aws:s3/bucket:Bucket", name: "x-documents-v2", props: {}, opts })?.opts ?? opts;
            assert.deepStrictEqual(opts.aliases, [{ name: "x-documents" }]);
        });
    });

    describe("the engine check's upgrade step (tools/engine/upgrade.ts), on engine events", () => {
        const urn = (type: string, name: string) =>
            `urn:pulumi:production::rag-platform::ragstack:index:RagStack$ragstack:kubernetes:RagStack$${type}::${name}`;
        const ns = urn("kubernetes:core/v1:Namespace", "rag-k8s-baseline-ns-data");
        const generated = urn("kubernetes:core/v1:Secret", "rag-k8s-db-credentials-app");
        const plain = urn("kubernetes:core/v1:Secret", "rag-k8s-tls-bundle");
        const api = urn("kubernetes:apps/v1:Deployment", "rag-k8s-api-deployment");
        const before = new Map<string, UpgradeResource>(
            [
                { urn: ns, type: "kubernetes:core/v1:Namespace", inputs: {}, dependencies: [], aliases: [] },
                {
                    urn: generated,
                    type: "kubernetes:core/v1:Secret",
                    inputs: {},
                    dependencies: [urn("random:index/randomPassword:RandomPassword", "rag-k8s-db-password")],
                    aliases: [],
                },
                { urn: plain, type: "kubernetes:core/v1:Secret", inputs: {}, dependencies: [], aliases: [] },
                { urn: api, type: "kubernetes:apps/v1:Deployment", inputs: {}, dependencies: [], aliases: [] },
            ].map((r) => [r.urn, r]),
        );
        const ev = (op: string, u: string, type: string, diffs: string[] = []) => ({ resourcePreEvent: { metadata: { op, urn: u, type, diffs } } });
        const events = [
            ev("same", ns, "kubernetes:core/v1:Namespace"),
            ev("replace", generated, "kubernetes:core/v1:Secret", ["data"]),
            ev("create-replacement", generated, "kubernetes:core/v1:Secret", ["data"]),
            ev("replace", plain, "kubernetes:core/v1:Secret", ["type"]),
            ev("update", api, "kubernetes:apps/v1:Deployment", ["spec"]),
            ev("delete", ns, "kubernetes:core/v1:Namespace"),
        ];

        it("a stateful replace or delete fails unless declared; a Secret without generated values and every update are listed", () => {
            const r = reportFromPreview(events, before, "");
            assert.deepStrictEqual(
                r.undeclared.map((b) => [b.op, urnName(b.urn), b.stateful]),
                [
                    ["replace", "rag-k8s-db-credentials-app", "Secret holding generated credentials"],
                    ["delete", "rag-k8s-baseline-ns-data", "namespace"],
                ],
            );
            assert.deepStrictEqual(
                r.other.map((o) => [o.op, urnName(o.urn)]),
                [
                    ["replace", "rag-k8s-tls-bundle"],
                    ["update", "rag-k8s-api-deployment"],
                ],
            );
            const changelog = "## [Unreleased]\n### Changed (breaking)\n- `rag-k8s-baseline-ns-data` is now `rag-data`: migration in docs/kubernetes.md.\n";
            const declared = reportFromPreview(events, before, changelog);
            assert.deepStrictEqual(
                declared.undeclared.map((b) => urnName(b.urn)),
                ["rag-k8s-db-credentials-app"],
            );
            assert.match(declared.breaking.find((b) => b.op === "delete")!.entry!, /rag-data/);
        });

        it("RAGSTACK_ENGINE_STEPS selects parts (all by default) and refuses unknown ones, naming the allowed", () => {
            assert.deepStrictEqual([...enginePartsSelected(undefined)], [...ENGINE_PARTS]);
            assert.deepStrictEqual([...enginePartsSelected("")], [...ENGINE_PARTS]);
            assert.deepStrictEqual([...enginePartsSelected("upgrade")], ["upgrade"]);
            assert.throws(
                () => enginePartsSelected("upgrades"),
                /unknown part upgrades; allowed: environments, verdicts, bad-input, day-two, transforms, upgrade/,
            );
            assert.throws(() => enginePartsSelected("day-two"), /day-two need environments/);
        });
    });
});
